package okt_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// ssaWorld is an operator owning a Deployment, a Service and a ConfigMap
// whose desired state has a "full" form (every extra below) and a lean one.
type ssaWorld struct {
	full  atomic.Bool
	leave []string // LeaveToOthers on the Deployment
}

func (sw *ssaWorld) build(w *testapi.Widget) []resources.Resource {
	full := sw.full.Load()
	dep := resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "web")}, func(d *appsv1.Deployment) error {
		d.Labels = labels(w)
		if full {
			d.Labels["extra-label"] = "yes"
			d.Annotations = map[string]string{"example.com/extra": "yes"}
		}
		if len(sw.leave) == 0 {
			d.Spec.Replicas = ptr.To[int32](1)
		}
		d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
		c := corev1.Container{
			Name:  "app",
			Image: w.Spec.Image,
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
			Env:   []corev1.EnvVar{{Name: "MESSAGE", Value: w.Spec.Message}},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
				Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("64Mi")},
			},
		}
		if full {
			c.Ports = append(c.Ports, corev1.ContainerPort{Name: "metrics", ContainerPort: 9090})
			c.Env = append(c.Env, corev1.EnvVar{Name: "EXTRA", Value: "1"})
			c.Resources.Limits[corev1.ResourceCPU] = resource.MustParse("500m")
		}
		d.Spec.Template = corev1.PodTemplateSpec{
			ObjectMeta: metav1.ObjectMeta{Labels: labels(w)},
			Spec:       corev1.PodSpec{Containers: []corev1.Container{c}},
		}
		if full {
			d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers,
				corev1.Container{Name: "second", Image: "busybox:1.36", Args: []string{"sleep", "3600"}})
		}
		return nil
	}, resources.LeaveToOthers(sw.leave...))
	svc := resources.NewMutable(&corev1.Service{ObjectMeta: objMeta(w, "web")}, func(s *corev1.Service) error {
		s.Spec.Selector = labels(w)
		s.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http")}}
		if full {
			s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: "metrics", Port: 9090})
		}
		return nil
	})
	cm := resources.NewMutable(&corev1.ConfigMap{ObjectMeta: objMeta(w, "web")}, func(cm *corev1.ConfigMap) error {
		cm.Data = map[string]string{"message": w.Spec.Message}
		if full {
			cm.Data["extra"] = "yes"
		}
		return nil
	})
	return []resources.Resource{dep, svc, cm}
}

func getObj[O client.Object](t testing.TB, c client.Client, ns, name string, obj O) O {
	t.Helper()
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

func container(d *appsv1.Deployment, name string) *corev1.Container {
	for i := range d.Spec.Template.Spec.Containers {
		if d.Spec.Template.Spec.Containers[i].Name == name {
			return &d.Spec.Template.Spec.Containers[i]
		}
	}
	return nil
}

func hasEnv(c *corev1.Container, name string) bool {
	for _, e := range c.Env {
		if e.Name == name {
			return true
		}
	}
	return false
}

func hasPort(c *corev1.Container, name string) bool {
	for _, p := range c.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func hasServicePort(s *corev1.Service, name string) bool {
	for _, p := range s.Spec.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

// ownedWrites returns the writes on owned objects: neither Events nor the
// custom resource's status (which follows the rollouts).
func ownedWrites(writes []string) []string {
	var out []string
	for _, w := range objectWrites(writes) {
		if !strings.HasSuffix(w, "/status") {
			out = append(out, w)
		}
	}
	return out
}

// quietReconciles runs n reconciles of w and fails t if they write to an
// owned object.
func quietReconciles(t testing.TB, r *okt.Reconciler[*testapi.Widget], counter *testenv.Counter, w *testapi.Widget, n int, when string) {
	t.Helper()
	counter.Reset()
	for range n {
		_, _ = r.Reconcile(context.Background(), request(w))
	}
	if got := ownedWrites(counter.Writes()); len(got) != 0 {
		t.Errorf("%s: %d reconcile(s) sent %v, want no write", when, n, got)
	}
}

// foreignEdit updates obj at key with change, as another writer with its own
// field manager (a webhook, kubectl, another controller), again on a
// conflict.
func foreignEdit(t testing.TB, c client.Client, manager string, key client.ObjectKey, obj client.Object, change func()) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(context.Background(), key, obj); err != nil {
			return err
		}
		change()
		return c.Update(context.Background(), obj, client.FieldOwner(manager))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRemovalsAppliedInOneReconcile: issue 17, acceptance 1. A label, an
// annotation, a ConfigMap key, a resources.limits entry, an env var, a
// container port, a Service port and a second container that the operator
// stops declaring are gone after one reconcile, with one write per object.
func TestRemovalsAppliedInOneReconcile(t *testing.T) {
	needCluster(t)
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "rm")
	sw := &ssaWorld{}
	sw.full.Store(true)
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: sw.build}.run))
	mustReconcile(t, r, request(w))
	mustReconcile(t, r, request(w))

	dep := getObj(t, plain, ns, "rm-web", &appsv1.Deployment{})
	if container(dep, "second") == nil || !hasEnv(container(dep, "app"), "EXTRA") {
		t.Fatalf("the full desired state is not live: %+v", dep.Spec.Template.Spec.Containers)
	}

	sw.full.Store(false)
	counter.Reset()
	mustReconcile(t, r, request(w))
	_, objects := writesByObject(counter.Writes())
	if objects["rm-web"] != 3 || len(objects) != 1 {
		t.Errorf("writes %v, want one on each of the 3 objects", counter.Writes())
	}

	dep = getObj(t, plain, ns, "rm-web", &appsv1.Deployment{})
	app := container(dep, "app")
	svc := getObj(t, plain, ns, "rm-web", &corev1.Service{})
	cm := getObj(t, plain, ns, "rm-web", &corev1.ConfigMap{})
	for what, stays := range map[string]bool{
		"label extra-label":              dep.Labels["extra-label"] != "",
		"annotation example.com/extra":   dep.Annotations["example.com/extra"] != "",
		"ConfigMap key extra":            cm.Data["extra"] != "",
		"resources.limits.cpu":           !app.Resources.Limits.Cpu().IsZero(),
		"env var EXTRA":                  hasEnv(app, "EXTRA"),
		"container port metrics":         hasPort(app, "metrics"),
		"Service port metrics":           hasServicePort(svc, "metrics"),
		"second container":               container(dep, "second") != nil,
		"(kept) env var MESSAGE missing": !hasEnv(app, "MESSAGE"),
		"(kept) limits.memory missing":   app.Resources.Limits.Memory().IsZero(),
	} {
		if stays {
			t.Errorf("%s: still on the live object after one reconcile", what)
		}
	}
	quietReconciles(t, r, counter, w, 1, "after the removals")
}

// TestOtherWritersKept: issue 17, acceptance 2. What other writers add under
// their own field managers (a sidecar, an env var and a volume mount on the
// operator's container, a volume, an init container, a Service port, labels,
// annotations, ConfigMap keys, and replicas under an HPA's scale writes)
// survives 5 reconciles with no write, and a change of the operator's image,
// applied in one write.
func TestOtherWritersKept(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "co")
	sw := &ssaWorld{leave: []string{".spec.replicas"}}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: sw.build}.run))
	mustReconcile(t, r, request(w))
	mustReconcile(t, r, request(w))

	key := client.ObjectKey{Namespace: ns, Name: "co-web"}
	dep := &appsv1.Deployment{}
	foreignEdit(t, plain, "sidecar-injector", key, dep, func() {
		ps := &dep.Spec.Template.Spec
		ps.Containers = append(ps.Containers, corev1.Container{Name: "proxy", Image: "envoy:1.31"})
		ps.InitContainers = append(ps.InitContainers, corev1.Container{Name: "init-proxy", Image: "envoy:1.31"})
		ps.Volumes = append(ps.Volumes, corev1.Volume{Name: "proxy-certs", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		app := &ps.Containers[0]
		app.Env = append(app.Env, corev1.EnvVar{Name: "PROXY_PORT", Value: "15001"})
		app.VolumeMounts = append(app.VolumeMounts, corev1.VolumeMount{Name: "proxy-certs", MountPath: "/etc/certs"})
		dep.Labels["team.example.com/owner"] = "ops"
		if dep.Annotations == nil {
			dep.Annotations = map[string]string{}
		}
		dep.Annotations["sidecar.example.com/injected"] = "true"
	})
	// An HPA's write: the scale subresource, under its own field manager.
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		scale := &autoscalingv1.Scale{}
		if err := plain.SubResource("scale").Get(ctx, dep, scale); err != nil {
			return err
		}
		scale.Spec.Replicas = 3
		return plain.SubResource("scale").Update(ctx, dep, client.WithSubResourceBody(scale), client.FieldOwner("horizontal-pod-autoscaler"))
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &corev1.Service{}
	foreignEdit(t, plain, "kubectl-edit", key, svc, func() {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: "debug", Port: 6060})
		svc.Labels = map[string]string{"team.example.com/owner": "ops"}
	})
	cm := &corev1.ConfigMap{}
	foreignEdit(t, plain, "config-agent", key, cm, func() { cm.Data["agent"] = "on" })

	check := func(when string) {
		t.Helper()
		dep := getObj(t, plain, ns, "co-web", &appsv1.Deployment{})
		ps := dep.Spec.Template.Spec
		app := container(dep, "app")
		svc := getObj(t, plain, ns, "co-web", &corev1.Service{})
		cm := getObj(t, plain, ns, "co-web", &corev1.ConfigMap{})
		for what, lost := range map[string]bool{
			"sidecar container proxy":     container(dep, "proxy") == nil,
			"init container init-proxy":   len(ps.InitContainers) != 1,
			"volume proxy-certs":          len(ps.Volumes) != 1,
			"env var PROXY_PORT":          !hasEnv(app, "PROXY_PORT"),
			"volume mount /etc/certs":     len(app.VolumeMounts) != 1,
			"Service port debug":          !hasServicePort(svc, "debug"),
			"Deployment label":            dep.Labels["team.example.com/owner"] != "ops",
			"Deployment annotation":       dep.Annotations["sidecar.example.com/injected"] != "true",
			"Service label":               svc.Labels["team.example.com/owner"] != "ops",
			"ConfigMap key agent":         cm.Data["agent"] != "on",
			"replicas 3 from the HPA":     dep.Spec.Replicas == nil || *dep.Spec.Replicas != 3,
			"(own) env var MESSAGE":       !hasEnv(app, "MESSAGE"),
			"(own) Service port http":     !hasServicePort(svc, "http"),
			"(own) ConfigMap key message": cm.Data["message"] != w.Spec.Message,
		} {
			if lost {
				t.Errorf("%s: %s lost", when, what)
			}
		}
	}
	quietReconciles(t, r, counter, w, 5, "with other writers' fields")
	check("after 5 reconciles")

	cur := getWidget(t, plain, w)
	cur.Spec.Image = "memcached:1.6.29"
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	mustReconcile(t, r, request(w))
	if got := ownedWrites(counter.Writes()); len(got) != 1 || !strings.HasSuffix(got[0], "/deployments/co-web") {
		t.Errorf("image change sent %v, want one write on the Deployment", got)
	}
	if got := container(getObj(t, plain, ns, "co-web", &appsv1.Deployment{}), "app").Image; got != "memcached:1.6.29" {
		t.Errorf("image %q after the change, want memcached:1.6.29", got)
	}
	check("after the image change")
	quietReconciles(t, r, counter, w, 1, "after the image change")
}

// TestFightDamped: issue 17, acceptance 4. Another writer sets the
// operator's image back every 500 ms for 20 s: okt sends at most 10 writes
// to the Deployment in that time, a Warning Event and the FieldConflict
// condition name the field and the other manager; once the writer stops, the
// condition goes and the image is okt's again.
func TestFightDamped(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counter := &testenv.Counter{}
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "fight")
	sw := &ssaWorld{}
	rec := record.NewFakeRecorder(1000)
	managed(t, ns, counter, sw.build, okt.WithEventRecorder(rec))
	waitFor(t, func() bool { // created and reconciled
		d := &appsv1.Deployment{}
		return plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "fight-web"}, d) == nil
	})
	time.Sleep(time.Second)

	counter.Reset()
	key := client.ObjectKey{Namespace: ns, Name: "fight-web"}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		d := &appsv1.Deployment{}
		foreignEdit(t, plain, "image-pinner", key, d, func() { container(d, "app").Image = "memcached:1.5" })
		time.Sleep(500 * time.Millisecond)
	}
	var ours int
	for _, wr := range counter.Writes() {
		if strings.HasSuffix(wr, "/deployments/fight-web") {
			ours++
		}
	}
	t.Logf("okt wrote the Deployment %d times during the 20 s fight", ours)
	if ours > 10 || ours < 3 {
		t.Errorf("okt wrote the Deployment %d times in the 20 s fight, want 3 to 10", ours)
	}
	cond := findCondition(getWidget(t, plain, w), okt.ConditionFieldConflict)
	if cond == nil || cond.Status != metav1.ConditionTrue ||
		!strings.Contains(cond.Message, `.spec.template.spec.containers[name=app].image`) || !strings.Contains(cond.Message, `"image-pinner"`) {
		t.Errorf("FieldConflict condition %+v, want True naming the field and the manager image-pinner", cond)
	}
	var warned bool
	for len(rec.Events) > 0 {
		e := <-rec.Events
		if strings.HasPrefix(e, "Warning FieldFight") && strings.Contains(e, "containers[name=app].image") && strings.Contains(e, `"image-pinner"`) {
			warned = true
		}
	}
	if !warned {
		t.Error("no Warning FieldFight Event naming the field and image-pinner")
	}

	deadline = time.Now().Add(waitBound)
	for {
		cur := getWidget(t, plain, w)
		d := getObj(t, plain, ns, "fight-web", &appsv1.Deployment{})
		if findCondition(cur, okt.ConditionFieldConflict) == nil && container(d, "app").Image == w.Spec.Image {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the fight: condition %+v, image %q", findCondition(cur, okt.ConditionFieldConflict), container(d, "app").Image)
		}
		time.Sleep(time.Second)
	}
}

// TestUpgradeFromMergePatch: issue 17, acceptance 5. Objects written as okt
// wrote them before it applied (a create and a merge patch under the
// program's default field manager, with the hash annotation) lose a field
// removed from the desired state at the first reconcile of the new code.
func TestUpgradeFromMergePatch(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "up")
	if err := plain.Get(ctx, client.ObjectKeyFromObject(w), w); err != nil {
		t.Fatal(err)
	}
	sw := &ssaWorld{}
	sw.full.Store(true)
	// The former write path: Create of the desired object, then a JSON merge
	// patch of a change, both with no field manager named.
	for _, res := range sw.build(w) {
		env := resources.Env{Client: plain, Scheme: plain.Scheme(), Owner: w}
		if err := res.Prepare(ctx, env); err != nil {
			t.Fatal(err)
		}
		obj := res.Desired().DeepCopyObject().(client.Object)
		ann := obj.GetAnnotations()
		ann[resources.HashAnnotation] = "0123456789abcdef0123456789abcdef"
		obj.SetAnnotations(ann)
		if err := plain.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
		before := obj.DeepCopyObject().(client.Object)
		l := obj.GetLabels()
		if l == nil {
			l = map[string]string{}
		}
		l["patched"] = "by-old-okt"
		obj.SetLabels(l)
		if err := plain.Patch(ctx, obj, client.MergeFrom(before)); err != nil {
			t.Fatal(err)
		}
	}
	dep := getObj(t, plain, ns, "up-web", &appsv1.Deployment{})
	for _, e := range dep.ManagedFields {
		if e.Operation == metav1.ManagedFieldsOperationApply {
			t.Fatalf("the old write path left an Apply entry: %+v", e)
		}
	}

	sw.full.Store(false)
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: sw.build}.run))
	counter.Reset()
	mustReconcile(t, r, request(w))
	t.Logf("first reconcile of the new code: %v", ownedWrites(counter.Writes()))
	dep = getObj(t, plain, ns, "up-web", &appsv1.Deployment{})
	app := container(dep, "app")
	svc := getObj(t, plain, ns, "up-web", &corev1.Service{})
	cm := getObj(t, plain, ns, "up-web", &corev1.ConfigMap{})
	for what, stays := range map[string]bool{
		"label extra-label":      dep.Labels["extra-label"] != "",
		"env var EXTRA":          hasEnv(app, "EXTRA"),
		"second container":       container(dep, "second") != nil,
		"resources.limits.cpu":   !app.Resources.Limits.Cpu().IsZero(),
		"Service port metrics":   hasServicePort(svc, "metrics"),
		"ConfigMap key extra":    cm.Data["extra"] != "",
		"label patched (by old)": dep.Labels["patched"] != "",
	} {
		if stays {
			t.Errorf("%s: still on the upgraded object", what)
		}
	}
	for _, e := range dep.ManagedFields {
		if e.Operation == metav1.ManagedFieldsOperationUpdate && e.Subresource == "" && e.Manager != "kube-controller-manager" {
			t.Errorf("an Update entry of okt's former manager is left: %s", e.Manager)
		}
	}
	quietReconciles(t, r, counter, w, 1, "after the upgrade")
}

// TestImmutableChange: issue 17, acceptance 6. A desired change of a
// Deployment's selector is refused as immutable: Ready False, Stalled True
// naming the object and the field, and no write loop; with
// RecreateOnImmutableChange, a Job whose template changes is deleted and
// created anew.
func TestImmutableChange(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "imm")
	build := func(w *testapi.Widget) []resources.Resource {
		sel := map[string]string{"app": "imm", "tier": w.Spec.Message}
		return []resources.Resource{
			resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "web")}, func(d *appsv1.Deployment) error {
				d.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
				d.Spec.Template.Labels = sel
				d.Spec.Template.Spec.Containers = []corev1.Container{{Name: "app", Image: w.Spec.Image}}
				return nil
			}),
			resources.NewMutable(&batchv1.Job{ObjectMeta: objMeta(w, "job")}, func(j *batchv1.Job) error {
				j.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
				j.Spec.Template.Spec.Containers = []corev1.Container{{Name: "migrate", Image: "busybox:1.36",
					Args: []string{"echo", w.Spec.Message}}}
				return nil
			}, resources.RecreateOnImmutableChange()),
		}
	}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run))
	mustReconcile(t, r, request(w))
	job := getObj(t, plain, ns, "imm-job", &batchv1.Job{})

	cur := getWidget(t, plain, w)
	cur.Spec.Message = "changed"
	if err := plain.Update(ctx, cur); err != nil {
		t.Fatal(err)
	}
	_, _ = r.Reconcile(ctx, request(w))
	cur = getWidget(t, plain, w)
	stalled := findCondition(cur, okt.ConditionStalled)
	if stalled == nil || stalled.Status != metav1.ConditionTrue || stalled.Reason != okt.ReasonFieldImmutable ||
		!strings.Contains(stalled.Message, "Deployment.apps "+ns+"/imm-web") || !strings.Contains(stalled.Message, ".spec.selector") {
		t.Errorf("Stalled %+v, want True, reason FieldImmutable, naming the Deployment and .spec.selector", stalled)
	}
	if meta.IsStatusConditionTrue(cur.Status.Conditions, okt.ConditionReady) {
		t.Error("Ready True while the Deployment cannot take its desired state")
	}

	// The Job is deleted, then created anew with the new template.
	deadline := time.Now().Add(waitBound)
	for {
		_, _ = r.Reconcile(ctx, request(w))
		j := &batchv1.Job{}
		err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "imm-job"}, j)
		if err == nil && j.UID != job.UID {
			if got := fmt.Sprint(j.Spec.Template.Spec.Containers[0].Args); got != "[echo changed]" {
				t.Errorf("recreated Job args %s, want [echo changed]", got)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Job was not recreated (err %v, uid %s)", err, j.UID)
		}
		time.Sleep(300 * time.Millisecond)
	}

	// No write loop on the Deployment: the refused change is not sent again.
	quietReconciles(t, r, counter, w, 3, "the refused change")
}

// TestImmutableStatefulSetClaims: a change of a StatefulSet's
// volumeClaimTemplates, which the API server refuses as a forbidden update
// of the spec, is Stalled naming the field okt found changed.
func TestImmutableStatefulSetClaims(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "immsts")
	size := "1Gi"
	build := func(w *testapi.Widget) []resources.Resource {
		sel := map[string]string{"app": "immsts"}
		return []resources.Resource{
			resources.NewMutable(&appsv1.StatefulSet{ObjectMeta: objMeta(w, "db")}, func(s *appsv1.StatefulSet) error {
				s.Spec.Replicas = ptr.To[int32](1)
				s.Spec.Selector = &metav1.LabelSelector{MatchLabels: sel}
				s.Spec.Template.Labels = sel
				s.Spec.Template.Spec.Containers = []corev1.Container{{Name: "db", Image: "postgres:17"}}
				s.Spec.VolumeClaimTemplates = []corev1.PersistentVolumeClaim{{
					ObjectMeta: metav1.ObjectMeta{Name: "data"},
					Spec: corev1.PersistentVolumeClaimSpec{
						AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
						Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(size)}},
					},
				}}
				return nil
			}),
		}
	}
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run))
	mustReconcile(t, r, request(w))
	size = "2Gi"
	_, _ = r.Reconcile(ctx, request(w))
	stalled := findCondition(getWidget(t, plain, w), okt.ConditionStalled)
	if stalled == nil || stalled.Reason != okt.ReasonFieldImmutable || !strings.Contains(stalled.Message, ".spec.volumeClaimTemplates") {
		t.Errorf("Stalled %+v, want reason FieldImmutable naming .spec.volumeClaimTemplates", stalled)
	}
	quietReconciles(t, r, counter, w, 3, "the refused change")
}
