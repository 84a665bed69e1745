package okt_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// manifest returns a manifest of hack/testdata, the ones `okt create
// resource --from` is tested with.
func manifest(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("../hack/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fromManifest builds a resource the way a builder scaffolded by `okt
// create resource --from` does: decoded literally, named after the custom
// resource, in its namespace.
func fromManifest[O client.Object](t testing.TB, w *testapi.Widget, text, suffix string) (O, resources.Resource) {
	t.Helper()
	obj, err := resources.Decode[O](text)
	if err != nil {
		t.Fatal(err)
	}
	obj.SetName(w.Name + "-" + suffix)
	obj.SetNamespace(w.Namespace)
	return obj, resources.NewMutable(obj, func(O) error { return nil })
}

// TestManifestsDecodedLiterally: acceptance 3 on the API server. Resources
// built with resources.Decode from real-world manifests (flow style,
// comments and quoted keys, Prometheus alert rules full of {{ ... }}) are
// created as written, braces included, and five more reconciles send no
// write.
func TestManifestsDecodedLiterally(t *testing.T) {
	needCluster(t)
	flow := manifest(t, "php-apache-deployment.yaml")
	commented := manifest(t, "commented-service.yaml")
	rules := manifest(t, "alert-rules-configmap.yaml")
	build := func(w *testapi.Widget) []resources.Resource {
		_, dep := fromManifest[*appsv1.Deployment](t, w, flow, "php")
		_, svc := fromManifest[*corev1.Service](t, w, commented, "web")
		_, cm := fromManifest[*corev1.ConfigMap](t, w, rules, "alerts")
		return []resources.Resource{dep, svc, cm}
	}
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "manifests")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run))

	reconcileUntilReady(t, r, plain, w)
	ctx := context.Background()

	// The alert rules are on the live ConfigMap literally.
	want, _ := fromManifest[*corev1.ConfigMap](t, w, rules, "alerts")
	live := &corev1.ConfigMap{}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(want), live); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want.Data, live.Data); d != "" {
		t.Errorf("live data (-manifest +live):\n%s", d)
	}
	for _, s := range []string{`summary: "Instance {{ $labels.instance }} down"`, `{{ printf "%.0f" $value }}`,
		`{{ with $labels.mountpoint }}{{ . }}{{ else }}/{{ end }}`} {
		if !strings.Contains(live.Data["alert-rules.yaml"], s) {
			t.Errorf("the live rules lack %q:\n%s", s, live.Data["alert-rules.yaml"])
		}
	}
	for k, v := range want.Labels {
		if live.Labels[k] != v {
			t.Errorf("live label %s = %q, want %q", k, live.Labels[k], v)
		}
	}
	// The commented Service and the flow-style Deployment, as written.
	svc := &corev1.Service{}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: w.Name + "-web"}, svc); err != nil {
		t.Fatal(err)
	}
	if svc.Labels["app.kubernetes.io/name"] != "web" || svc.Annotations["example.com/owner"] != "team-a" ||
		svc.Spec.Ports[0].TargetPort.IntValue() != 8080 {
		t.Errorf("live Service: %+v %+v", svc.ObjectMeta, svc.Spec)
	}
	dep := &appsv1.Deployment{}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: w.Name + "-php"}, dep); err != nil {
		t.Fatal(err)
	}
	if c := dep.Spec.Template.Spec.Containers[0]; c.Image != "registry.k8s.io/hpa-example" || c.Resources.Requests.Cpu().String() != "200m" {
		t.Errorf("live container: %+v", c)
	}

	before := versions(t, plain, w, build(w))
	for i := range 5 {
		counter.Reset()
		mustReconcile(t, r, request(w))
		if got := counter.Writes(); len(got) != 0 {
			t.Errorf("steady reconcile %d sent %d write(s): %v", i+1, len(got), got)
		}
	}
	if d := cmp.Diff(before, versions(t, plain, w, build(w))); d != "" {
		t.Errorf("resourceVersions changed (-before +after):\n%s", d)
	}
}
