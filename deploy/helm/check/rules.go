package main

import (
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// The rules the API types cannot express, one function per kind or reference: names and labels,
// selectors that match their pods, named ports that exist, references to what the chart renders, hook order.

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
