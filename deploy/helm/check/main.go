// Command chartcheck validates rendered Kubernetes manifests (`helm template` output) offline.
//
// Every document is decoded strictly into the Go API types of a pinned Kubernetes version (k8s.io/api in
// go.mod) and of the Prometheus operator (ServiceMonitor): an unknown or duplicate field, a value of the
// wrong type or an unparsable quantity fails, as the API server's fieldValidation=Strict does. Only the
// kinds the chart is meant to render are accepted. Then the rules the types cannot express and that a
// chart gets wrong: names and labels, selectors that match their pods, named ports that exist, references
// to ConfigMaps and Secrets the chart renders, and hook Jobs that use no resource created after them.
//
//	chartcheck [-json out.json] FILE...   (FILE "-" reads standard input)
//
// Exit status 1 and one line per problem on standard error when anything fails.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// The kinds and versions the chart may render; anything else is an error.
var allowed = map[schema.GroupVersionKind]bool{
	{Version: "v1", Kind: "ConfigMap"}:                                      true,
	{Version: "v1", Kind: "Secret"}:                                         true,
	{Version: "v1", Kind: "Service"}:                                        true,
	{Version: "v1", Kind: "ServiceAccount"}:                                 true,
	{Group: "apps", Version: "v1", Kind: "Deployment"}:                      true,
	{Group: "batch", Version: "v1", Kind: "Job"}:                            true,
	{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler"}:  true,
	{Group: "policy", Version: "v1", Kind: "PodDisruptionBudget"}:           true,
	{Group: "networking.k8s.io", Version: "v1", Kind: "NetworkPolicy"}:      true,
	{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}: true,
}

type document struct {
	source string // "file #n (helm's # Source: line)"
	kind   string
	name   string
	json   json.RawMessage
	obj    runtime.Object
	hooks  string // the helm.sh/hook annotation
}

func (d *document) String() string { return fmt.Sprintf("%s %s/%s", d.source, d.kind, d.name) }

type checker struct {
	docs   []*document
	errors []string
}

func (c *checker) fail(d *document, format string, args ...any) {
	c.errors = append(c.errors, fmt.Sprintf("%s: %s", d, fmt.Sprintf(format, args...)))
}

func main() {
	jsonOut := flag.String("json", "", "write the documents as one JSON array to this file")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: chartcheck [-json out.json] FILE... (- for standard input)")
		os.Exit(2)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme, appsv1.AddToScheme, batchv1.AddToScheme, autoscalingv2.AddToScheme,
		policyv1.AddToScheme, networkingv1.AddToScheme, monitoringv1.AddToScheme,
	} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()

	c := &checker{}
	for _, file := range flag.Args() {
		if err := c.read(file, decoder); err != nil {
			fmt.Fprintf(os.Stderr, "chartcheck: %s: %v\n", file, err)
			os.Exit(2)
		}
	}
	c.checkAll()

	if *jsonOut != "" {
		var all []json.RawMessage
		for _, d := range c.docs {
			all = append(all, d.json)
		}
		out, _ := json.MarshalIndent(all, "", "  ")
		if err := os.WriteFile(*jsonOut, out, 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "chartcheck: %v\n", err)
			os.Exit(2)
		}
	}
	counts := map[string]int{}
	for _, d := range c.docs {
		counts[d.kind]++
	}
	var summary []string
	for kind, n := range counts {
		summary = append(summary, fmt.Sprintf("%d %s", n, kind))
	}
	sort.Strings(summary)
	for _, e := range c.errors {
		fmt.Fprintln(os.Stderr, e)
	}
	fmt.Printf("chartcheck: %d documents (%s), %d problems\n", len(c.docs), strings.Join(summary, ", "), len(c.errors))
	if len(c.errors) > 0 {
		os.Exit(1)
	}
}

func (c *checker) read(file string, decoder runtime.Decoder) error {
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	reader := utilyaml.NewYAMLReader(bufio.NewReader(in))
	for n := 1; ; n++ {
		raw, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		source := fmt.Sprintf("%s #%d", file, n)
		for _, line := range strings.Split(string(raw), "\n") {
			if s, ok := strings.CutPrefix(line, "# Source: "); ok {
				source = fmt.Sprintf("%s (%s)", source, s)
				break
			}
		}
		js, err := yaml.YAMLToJSON(raw)
		d := &document{source: source, kind: "?", name: "?"}
		if err != nil {
			c.docs = append(c.docs, d)
			c.fail(d, "not YAML: %v", err)
			continue
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue // an empty document (comments only)
		}
		d.json = js
		var head struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name        string            `json:"name"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(js, &head)
		d.kind, d.name, d.hooks = head.Kind, head.Metadata.Name, head.Metadata.Annotations["helm.sh/hook"]
		c.docs = append(c.docs, d)
		obj, gvk, err := decoder.Decode(raw, nil, nil)
		if err != nil {
			c.fail(d, "%v", err)
			if obj == nil || !runtime.IsStrictDecodingError(err) {
				continue
			}
		}
		if !allowed[*gvk] {
			c.fail(d, "%s is not a kind this chart renders (allowed: the list in chartcheck)", gvk)
			continue
		}
		d.obj = obj
	}
}

func (c *checker) checkAll() {
	for _, d := range c.docs {
		if d.obj == nil {
			continue
		}
		meta, ok := d.obj.(metav1.Object)
		if !ok {
			continue
		}
		c.checkMeta(d, meta, d.kind == "Service")
		switch o := d.obj.(type) {
		case *appsv1.Deployment:
			c.checkDeployment(d, o)
		case *batchv1.Job:
			c.checkJob(d, o)
		case *corev1.Service:
			c.checkService(d, o)
		case *corev1.ConfigMap:
			for k := range o.Data {
				c.each(d, "data key "+k, validation.IsConfigMapKey(k))
			}
		case *corev1.Secret:
			for k := range o.Data {
				c.each(d, "data key "+k, validation.IsConfigMapKey(k))
			}
			for k := range o.StringData {
				c.each(d, "stringData key "+k, validation.IsConfigMapKey(k))
			}
		case *autoscalingv2.HorizontalPodAutoscaler:
			c.checkHPA(d, o)
		case *policyv1.PodDisruptionBudget:
			if (o.Spec.MinAvailable == nil) == (o.Spec.MaxUnavailable == nil) {
				c.fail(d, "spec: exactly one of minAvailable and maxUnavailable")
			}
			c.selects(d, "spec.selector", o.Spec.Selector)
		case *networkingv1.NetworkPolicy:
			if len(o.Spec.PodSelector.MatchLabels)+len(o.Spec.PodSelector.MatchExpressions) > 0 {
				c.selects(d, "spec.podSelector", &o.Spec.PodSelector)
			}
		case *monitoringv1.ServiceMonitor:
			c.checkServiceMonitor(d, o)
		}
	}
}

func (c *checker) each(d *document, what string, problems []string) {
	for _, p := range problems {
		c.fail(d, "%s: %s", what, p)
	}
}

func (c *checker) checkMeta(d *document, m metav1.Object, dns1035 bool) {
	if m.GetName() == "" {
		c.fail(d, "metadata.name is empty")
	} else if dns1035 {
		c.each(d, "metadata.name", validation.IsDNS1035Label(m.GetName()))
	} else {
		c.each(d, "metadata.name", validation.IsDNS1123Subdomain(m.GetName()))
	}
	c.checkLabels(d, "metadata.labels", m.GetLabels())
	for k := range m.GetAnnotations() {
		c.each(d, "metadata.annotations "+k, validation.IsQualifiedName(k))
	}
}

func (c *checker) checkLabels(d *document, where string, l map[string]string) {
	for k, v := range l {
		c.each(d, where+" key "+k, validation.IsQualifiedName(k))
		c.each(d, where+" "+k+" value", validation.IsValidLabelValue(v))
	}
}

func (c *checker) checkDeployment(d *document, o *appsv1.Deployment) {
	tpl := o.Spec.Template
	c.checkLabels(d, "spec.template.metadata.labels", tpl.Labels)
	if o.Spec.Selector == nil {
		c.fail(d, "spec.selector is required")
	} else if sel, err := metav1.LabelSelectorAsSelector(o.Spec.Selector); err != nil {
		c.fail(d, "spec.selector: %v", err)
	} else if sel.Empty() || !sel.Matches(labels.Set(tpl.Labels)) {
		c.fail(d, "spec.selector does not select the pod template's labels")
	}
	if p := tpl.Spec.RestartPolicy; p != "" && p != corev1.RestartPolicyAlways {
		c.fail(d, "spec.template.spec.restartPolicy must be Always")
	}
	c.checkPod(d, "spec.template.spec", &tpl.Spec)
}

func (c *checker) checkJob(d *document, o *batchv1.Job) {
	c.checkLabels(d, "spec.template.metadata.labels", o.Spec.Template.Labels)
	if p := o.Spec.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever && p != corev1.RestartPolicyOnFailure {
		c.fail(d, "spec.template.spec.restartPolicy must be Never or OnFailure")
	}
	c.checkPod(d, "spec.template.spec", &o.Spec.Template.Spec)
}

func (c *checker) checkPod(d *document, path string, spec *corev1.PodSpec) {
	if len(spec.Containers) == 0 {
		c.fail(d, "%s.containers is empty", path)
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		c.each(d, path+".volumes name", validation.IsDNS1123Label(v.Name))
		volumes[v.Name] = true
		if v.ConfigMap != nil {
			c.refConfigMap(d, v.ConfigMap.Name, "", v.ConfigMap.Optional)
		}
		if v.Secret != nil {
			c.refSecret(d, v.Secret.SecretName, "")
		}
	}
	all := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i, ct := range all {
		cp := fmt.Sprintf("%s.containers[%s]", path, ct.Name)
		if ct.Name == "" {
			cp = fmt.Sprintf("%s.containers[%d]", path, i)
		}
		c.each(d, cp+".name", validation.IsDNS1123Label(ct.Name))
		if ct.Image == "" {
			c.fail(d, "%s.image is empty", cp)
		}
		ports := map[string]bool{}
		for _, p := range ct.Ports {
			if p.Name != "" {
				c.each(d, cp+".ports name", validation.IsValidPortName(p.Name))
				if ports[p.Name] {
					c.fail(d, "%s.ports: %q twice", cp, p.Name)
				}
				ports[p.Name] = true
			}
			c.each(d, cp+".ports containerPort", validation.IsValidPortNum(int(p.ContainerPort)))
		}
		for name, probe := range map[string]*corev1.Probe{
			"livenessProbe": ct.LivenessProbe, "readinessProbe": ct.ReadinessProbe, "startupProbe": ct.StartupProbe,
		} {
			if probe == nil {
				continue
			}
			if probe.HTTPGet != nil {
				c.probePort(d, cp+"."+name, probe.HTTPGet.Port, ports)
				if !strings.HasPrefix(probe.HTTPGet.Path, "/") {
					c.fail(d, "%s.%s.httpGet.path must start with /", cp, name)
				}
			}
			if probe.TCPSocket != nil {
				c.probePort(d, cp+"."+name, probe.TCPSocket.Port, ports)
			}
		}
		names := map[string]bool{}
		for _, e := range ct.Env {
			c.each(d, cp+".env "+e.Name, validation.IsEnvVarName(e.Name))
			if names[e.Name] {
				c.fail(d, "%s.env: %s twice", cp, e.Name)
			}
			names[e.Name] = true
			if e.ValueFrom != nil {
				if e.Value != "" {
					c.fail(d, "%s.env %s: value and valueFrom", cp, e.Name)
				}
				if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
					c.refConfigMap(d, r.Name, r.Key, r.Optional)
				}
				if r := e.ValueFrom.SecretKeyRef; r != nil {
					c.refSecret(d, r.Name, r.Key)
				}
			}
		}
		for _, e := range ct.EnvFrom {
			if e.ConfigMapRef != nil {
				c.refConfigMap(d, e.ConfigMapRef.Name, "", e.ConfigMapRef.Optional)
			}
			if e.SecretRef != nil {
				c.refSecret(d, e.SecretRef.Name, "")
			}
		}
		for _, m := range ct.VolumeMounts {
			if !volumes[m.Name] {
				c.fail(d, "%s.volumeMounts: no volume %q", cp, m.Name)
			}
		}
		for res, limit := range ct.Resources.Limits {
			if req, ok := ct.Resources.Requests[res]; ok && req.Cmp(limit) > 0 {
				c.fail(d, "%s.resources: %s request %s above its limit %s", cp, res, req.String(), limit.String())
			}
		}
		c.nonNegative(d, cp+".resources.requests", ct.Resources.Requests)
		c.nonNegative(d, cp+".resources.limits", ct.Resources.Limits)
	}
}

func (c *checker) nonNegative(d *document, where string, list corev1.ResourceList) {
	for res, q := range list {
		if q.Sign() < 0 {
			c.fail(d, "%s: %s is negative", where, res)
		}
	}
}

func (c *checker) probePort(d *document, where string, port intstr.IntOrString, ports map[string]bool) {
	if port.Type == intstr.String {
		if !ports[port.StrVal] {
			c.fail(d, "%s: port %q is not a port of the container", where, port.StrVal)
		}
	} else {
		c.each(d, where+" port", validation.IsValidPortNum(port.IntValue()))
	}
}

// find returns the rendered document of that kind and name.
func (c *checker) find(kind, name string) *document {
	for _, d := range c.docs {
		if d.kind == kind && d.name == name && d.obj != nil {
			return d
		}
	}
	return nil
}

// refConfigMap: every ConfigMap a pod uses is rendered by the chart (unless optional), with the key.
func (c *checker) refConfigMap(d *document, name, key string, optional *bool) {
	target := c.find("ConfigMap", name)
	if target == nil {
		if optional == nil || !*optional {
			c.fail(d, "uses ConfigMap %q, which the chart does not render", name)
		}
		return
	}
	c.hookOrder(d, target)
	if cm := target.obj.(*corev1.ConfigMap); key != "" {
		if _, ok := cm.Data[key]; !ok {
			c.fail(d, "uses key %q of ConfigMap %q, which has no such key", key, name)
		}
	}
}

// refSecret: a Secret the chart renders has the key; one it does not is an existingSecret (not checked).
func (c *checker) refSecret(d *document, name, key string) {
	target := c.find("Secret", name)
	if target == nil {
		return
	}
	c.hookOrder(d, target)
	s := target.obj.(*corev1.Secret)
	if key != "" {
		_, inData := s.Data[key]
		_, inString := s.StringData[key]
		if !inData && !inString {
			c.fail(d, "uses key %q of Secret %q, which has no such key", key, name)
		}
	}
}

// hookOrder: a pre-install hook runs before the release's ordinary resources exist, so whatever it uses
// must be a pre-install hook too.
func (c *checker) hookOrder(user, used *document) {
	for _, phase := range []string{"pre-install", "pre-upgrade"} {
		if strings.Contains(user.hooks, phase) && !strings.Contains(used.hooks, phase) {
			c.fail(user, "a %s hook uses %s/%s, which is not a %s hook (it does not exist yet)",
				phase, used.kind, used.name, phase)
		}
	}
}

// podTemplates: the labels of every rendered Deployment's pods.
func (c *checker) podTemplates() map[*document]*corev1.PodTemplateSpec {
	out := map[*document]*corev1.PodTemplateSpec{}
	for _, d := range c.docs {
		if dep, ok := d.obj.(*appsv1.Deployment); ok {
			out[d] = &dep.Spec.Template
		}
	}
	return out
}

// selects: the selector matches the pods of at least one rendered Deployment; returns those.
func (c *checker) selects(d *document, where string, s *metav1.LabelSelector) []*corev1.PodTemplateSpec {
	if s == nil {
		c.fail(d, "%s is required", where)
		return nil
	}
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		c.fail(d, "%s: %v", where, err)
		return nil
	}
	var matched []*corev1.PodTemplateSpec
	for _, tpl := range c.podTemplates() {
		if !sel.Empty() && sel.Matches(labels.Set(tpl.Labels)) {
			matched = append(matched, tpl)
		}
	}
	if len(matched) == 0 {
		c.fail(d, "%s selects no pods of the chart", where)
	}
	return matched
}

func (c *checker) checkService(d *document, o *corev1.Service) {
	if len(o.Spec.Ports) == 0 {
		c.fail(d, "spec.ports is empty")
	}
	pods := c.selects(d, "spec.selector", &metav1.LabelSelector{MatchLabels: o.Spec.Selector})
	names := map[string]bool{}
	for _, p := range o.Spec.Ports {
		if len(o.Spec.Ports) > 1 && p.Name == "" {
			c.fail(d, "spec.ports: every port needs a name when there are several")
		}
		if names[p.Name] {
			c.fail(d, "spec.ports: %q twice", p.Name)
		}
		names[p.Name] = true
		if p.TargetPort.Type != intstr.String {
			continue
		}
		for _, tpl := range pods {
			found := false
			for _, ct := range tpl.Spec.Containers {
				for _, cp := range ct.Ports {
					found = found || cp.Name == p.TargetPort.StrVal
				}
			}
			if !found {
				c.fail(d, "spec.ports %s: targetPort %q is no container port of the pods it selects", p.Name, p.TargetPort.StrVal)
			}
		}
	}
}

func (c *checker) checkHPA(d *document, o *autoscalingv2.HorizontalPodAutoscaler) {
	ref := o.Spec.ScaleTargetRef
	if ref.APIVersion != "apps/v1" || ref.Kind != "Deployment" || c.find("Deployment", ref.Name) == nil {
		c.fail(d, "spec.scaleTargetRef %s %s/%s is not a Deployment of the chart", ref.APIVersion, ref.Kind, ref.Name)
	} else if dep := c.find("Deployment", ref.Name).obj.(*appsv1.Deployment); dep.Spec.Replicas != nil {
		c.fail(d, "Deployment %s sets spec.replicas while this HPA scales it (each upgrade would reset it)", ref.Name)
	}
	if o.Spec.MinReplicas != nil && *o.Spec.MinReplicas > o.Spec.MaxReplicas {
		c.fail(d, "spec.minReplicas above spec.maxReplicas")
	}
	if len(o.Spec.Metrics) == 0 {
		c.fail(d, "spec.metrics is empty")
	}
}

func (c *checker) checkServiceMonitor(d *document, o *monitoringv1.ServiceMonitor) {
	sel, err := metav1.LabelSelectorAsSelector(&o.Spec.Selector)
	if err != nil || sel.Empty() {
		c.fail(d, "spec.selector is empty or invalid")
		return
	}
	ports := map[string]bool{}
	for _, other := range c.docs {
		if svc, ok := other.obj.(*corev1.Service); ok && sel.Matches(labels.Set(svc.Labels)) {
			for _, p := range svc.Spec.Ports {
				ports[p.Name] = true
			}
		}
	}
	if len(ports) == 0 {
		c.fail(d, "spec.selector selects no Service of the chart")
	}
	for _, ep := range o.Spec.Endpoints {
		if ep.Port != "" && !ports[ep.Port] {
			c.fail(d, "spec.endpoints: port %q is no port of the Services it selects", ep.Port)
		}
		if ep.Path != "" && !strings.HasPrefix(ep.Path, "/") {
			c.fail(d, "spec.endpoints: path %q must start with /", ep.Path)
		}
	}
}
