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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
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
