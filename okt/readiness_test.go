package okt_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// poolDeployment is a Deployment of spec.size replicas of spec.image; its
// pods only fit on nodes labelled type=<spec.data["pool"]> (the local
// cluster's fake nodes are type=kwok).
func poolDeployment(w *testapi.Widget) []resources.Resource {
	return []resources.Resource{resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "web")}, func(d *appsv1.Deployment) error {
		d.Spec.Replicas = ptr.To(w.Spec.Size)
		d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
		d.Spec.Template = podTemplate(w, "")
		d.Spec.Template.Spec.NodeSelector = map[string]string{"type": w.Spec.Data["pool"]}
		return nil
	})}
}

// reconcileUntil reconciles w until its Ready condition satisfies ok, and
// returns the condition; it fails t after 30 s.
func reconcileUntil(t testing.TB, r *okt.Reconciler[*testapi.Widget], c client.Client, w *testapi.Widget, what string, ok func(*metav1.Condition) bool) (*metav1.Condition, []metav1.Condition) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		_, _ = r.Reconcile(context.Background(), request(w))
		conds := getWidget(t, c, w).Status.Conditions
		ready := meta.FindStatusCondition(conds, okt.ConditionReady)
		if ready != nil && ok(ready) {
			return ready, conds
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached after %v; conditions %+v", what, waitBound, conds)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func updateWidget(t testing.TB, c client.Client, w *testapi.Widget, change func(*testapi.Widget)) {
	t.Helper()
	cur := &testapi.Widget{}
	edit(t, c, client.ObjectKeyFromObject(w), cur, func() { change(cur) })
}

// TestReadyMeansReady: issue 9, acceptance 1. Ready is False/Progressing,
// with what is awaited, until the Deployment is available; an image change
// goes Progressing and back; scaling to 0 is Ready.
func TestReadyMeansReady(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "ready")
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Size = 3; w.Spec.Data = map[string]string{"pool": "none"} })
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: poolDeployment}.run))

	res := mustReconcile(t, r, request(w))
	if res.RequeueAfter <= 0 || res.RequeueAfter > 10*time.Second {
		t.Errorf("progressing: RequeueAfter %v, want a bounded requeue", res.RequeueAfter)
	}
	// No node of that pool: the pods stay Pending, the message says so.
	ready, conds := reconcileUntil(t, r, plain, w, "0/3 available", func(c *metav1.Condition) bool {
		return strings.Contains(c.Message, "0/3 replicas available")
	})
	if ready.Status != metav1.ConditionFalse || ready.Reason != okt.ReasonProgressing || ready.Message != "Deployment ready-web: 0/3 replicas available" {
		t.Errorf("Ready %+v, want False/Progressing naming the Deployment", ready)
	}
	if rec := meta.FindStatusCondition(conds, okt.ConditionReconciling); rec == nil || rec.Status != metav1.ConditionTrue || rec.Message != ready.Message {
		t.Errorf("Reconciling %+v, want True with the same message", rec)
	}

	// The fake nodes' pool: Ready once the Deployment is available.
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Data = map[string]string{"pool": "kwok"} })
	_, conds = reconcileUntil(t, r, plain, w, "Ready", func(c *metav1.Condition) bool { return c.Status == metav1.ConditionTrue })
	if meta.FindStatusCondition(conds, okt.ConditionReconciling) != nil {
		t.Errorf("Reconciling still there once Ready: %+v", conds)
	}
	dep := &appsv1.Deployment{}
	if err := plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "ready-web"}, dep); err != nil {
		t.Fatal(err)
	}
	if dep.Status.AvailableReplicas != 3 {
		t.Errorf("Ready with %d available replicas, want 3", dep.Status.AvailableReplicas)
	}

	// An image change: Progressing during the rollout, then Ready.
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Image = "memcached:1.6.30" })
	mustReconcile(t, r, request(w))
	if ready := meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady); ready == nil || ready.Reason != okt.ReasonProgressing {
		t.Errorf("right after the image change: Ready %+v, want Progressing", ready)
	}
	reconcileUntil(t, r, plain, w, "Ready after the rollout", func(c *metav1.Condition) bool { return c.Status == metav1.ConditionTrue })

	// Scaled to 0: Ready.
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Size = 0 })
	reconcileUntil(t, r, plain, w, "Ready at 0 replicas", func(c *metav1.Condition) bool {
		return c.Status == metav1.ConditionTrue && c.ObservedGeneration == getWidget(t, plain, w).Generation
	})
}

// TestFailedAndUnboundReadiness: issue 9, acceptance 2. A Job that fails
// gives Ready=False with its own reason (and Stalled); a claim that cannot
// bind keeps Ready=False/Progressing naming the claim.
func TestFailedAndUnboundReadiness(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)

	w := newWidget(t, plain, ns, "failing")
	failingJob := func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{resources.NewMutable(&batchv1.Job{ObjectMeta: objMeta(w, "job")}, func(j *batchv1.Job) error {
			// Its pod fits no node, and the Job's deadline is one second:
			// the Job controller fails it (DeadlineExceeded).
			j.Spec.ActiveDeadlineSeconds = ptr.To[int64](1)
			j.Spec.BackoffLimit = ptr.To[int32](0)
			j.Spec.Template = podTemplate(w, corev1.RestartPolicyNever)
			j.Spec.Template.Spec.NodeSelector = map[string]string{"okt.test/pool": "none"}
			return nil
		})}
	}
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: failingJob}.run))
	ready, conds := reconcileUntil(t, r, plain, w, "Job failed", func(c *metav1.Condition) bool { return c.Reason == "JobFailed" })
	if ready.Status != metav1.ConditionFalse || !strings.HasPrefix(ready.Message, "Job failing-job: failed") {
		t.Errorf("Ready %+v, want False naming the failed Job", ready)
	}
	if st := meta.FindStatusCondition(conds, okt.ConditionStalled); st == nil || st.Status != metav1.ConditionTrue || st.Reason != "JobFailed" {
		t.Errorf("Stalled %+v, want True/JobFailed", st)
	}

	u := newWidget(t, plain, ns, "unbound")
	unbound := func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{resources.NewMutable(&corev1.PersistentVolumeClaim{ObjectMeta: objMeta(w, "data")}, func(p *corev1.PersistentVolumeClaim) error {
			p.Spec.AccessModes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
			p.Spec.Resources.Requests = corev1.ResourceList{corev1.ResourceStorage: resourceQuantity("1Gi")}
			p.Spec.VolumeName = "no-such-volume" // waits for a volume that never comes
			return nil
		})}
	}
	r = okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: unbound}.run))
	for range 5 {
		mustReconcile(t, r, request(u))
		time.Sleep(200 * time.Millisecond)
	}
	ready = meta.FindStatusCondition(getWidget(t, plain, u).Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse || ready.Reason != okt.ReasonProgressing ||
		ready.Message != "PersistentVolumeClaim unbound-data: claim Pending, not Bound" {
		t.Errorf("Ready %+v, want False/Progressing naming the claim", ready)
	}
}

// managed starts a manager for Widgets in ns (its client counting requests
// in counter), whose metrics are served on the returned address, and stops
// it at the end of the test.
func managed(t *testing.T, ns string, counter *testenv.Counter, build func(*testapi.Widget) []resources.Resource, opts ...okt.Option) (metricsAddr string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr = l.Addr().String()
	_ = l.Close()
	mgr, err := ctrl.NewManager(counter.Wrap(cfg), ctrl.Options{
		Scheme:                 testenv.Scheme(),
		Metrics:                metricsserver.Options{BindAddress: metricsAddr},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{ns: {}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]okt.Option{okt.WithEventRecorder(mgr.GetEventRecorderFor("widget-controller"))}, opts...)
	r := okt.New[*testapi.Widget](mgr.GetClient(), okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run), opts...)
	err = ctrl.NewControllerManagedBy(mgr).For(&testapi.Widget{}).
		Owns(&corev1.ConfigMap{}).Owns(&corev1.Secret{}).Owns(&corev1.Service{}).Owns(&appsv1.Deployment{}).
		Owns(&appsv1.StatefulSet{}).Owns(&appsv1.DaemonSet{}).Owns(&batchv1.Job{}).Owns(&corev1.PersistentVolumeClaim{}).
		WithOptions(controller.Options{SkipNameValidation: ptr.To(true)}).
		Complete(r)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
	waitFor(t, func() bool {
		resp, err := http.Get("http://" + metricsAddr + "/metrics")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return metricsAddr
}

// waitReady waits until w is Ready (the manager reconciles it).
func waitReady(t testing.TB, c client.Client, w *testapi.Widget) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for {
		if meta.IsStatusConditionTrue(getWidget(t, c, w).Status.Conditions, okt.ConditionReady) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not Ready after %v: %+v\n%s", w.Name, waitBound, getWidget(t, c, w).Status.Conditions, stuck(w.Namespace))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// scrape returns the sum of the samples of metric whose labels contain every
// one of the given "name=\"value\"" pairs, from the metrics endpoint.
func scrape(t testing.TB, addr, metric string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := regexp.MustCompile(`^` + regexp.QuoteMeta(metric) + `\{([^}]*)\} ([0-9.e+-]+)$`)
next:
	for sc.Scan() {
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		for _, l := range labels {
			if !strings.Contains(m[1], l) {
				continue next
			}
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	return sum
}

// objectWrites returns the writes on anything but Events.
func objectWrites(writes []string) []string {
	var out []string
	for _, w := range writes {
		if !strings.Contains(w, "/events") {
			out = append(out, w)
		}
	}
	return out
}

// TestSteadyUnderManager: issue 9, acceptance 3 and 5. Under a manager with
// a 2 s resync, the 16 kinds get Ready, then 12 s of steady reconciles send
// no write at all (status and Events included); and the okt_writes_total
// counters read from the metrics endpoint match the writes counted at the
// API server through a scripted sequence.
func TestSteadyUnderManager(t *testing.T) {
	needCluster(t)
	counter := &testenv.Counter{}
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	var dropPolicy atomic.Bool // the operator stops wanting the NetworkPolicy
	build := func(w *testapi.Widget) []resources.Resource {
		all := allKinds(w)
		if dropPolicy.Load() {
			all = all[:len(all)-1]
		}
		return all
	}
	if kinds[len(kinds)-1].name != "NetworkPolicy" {
		t.Fatal("the NetworkPolicy is not the last kind: fix the test")
	}
	addr := managed(t, ns, counter, build, okt.WithResync(2*time.Second))
	oktWrites := func() float64 { return scrape(t, addr, okt.MetricWrites, `controller="Widget"`) }

	base := oktWrites() // the registry is the process's: earlier tests counted too
	w := newWidget(t, plain, ns, "steady")
	waitReady(t, plain, w)
	if got, want := oktWrites()-base, float64(len(objectWrites(counter.Writes()))); got != want {
		t.Errorf("after creation: %s = %v, API server counted %v writes: %v", okt.MetricWrites, got, want, counter.Writes())
	}

	reconciles := func() float64 { return scrape(t, addr, okt.MetricReconciles, `controller="Widget"`) }
	before, writesBefore := reconciles(), oktWrites()
	counter.Reset()
	time.Sleep(12 * time.Second)
	if got := counter.Writes(); len(got) != 0 {
		t.Errorf("12 s of steady state sent %d write(s): %v", len(got), got)
	}
	if n := reconciles() - before; n < 5 {
		t.Errorf("%v reconciles in 12 s with a 2 s resync, want at least 5", n)
	}
	if d := oktWrites() - writesBefore; d != 0 {
		t.Errorf("%s moved by %v in the steady state", okt.MetricWrites, d)
	}

	// A scripted sequence: spec change, live edit, prune (through a second
	// Widget whose builders the test switches).
	start := oktWrites()
	counter.Reset()
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Data = map[string]string{"key": "changed"} })
	waitFor(t, func() bool {
		cm := &corev1.ConfigMap{}
		return plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "steady-cm"}, cm) == nil && cm.Data["key"] == "changed"
	})
	cm := &corev1.ConfigMap{}
	edit(t, plain, client.ObjectKey{Namespace: ns, Name: "steady-cm"}, cm, func() { cm.Data["key"] = "tampered" })
	waitFor(t, func() bool {
		cm := &corev1.ConfigMap{}
		return plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "steady-cm"}, cm) == nil && cm.Data["key"] == "changed"
	})
	prunes := func() float64 {
		return scrape(t, addr, okt.MetricWrites, `controller="Widget"`, `cause="prune"`, `kind="NetworkPolicy.networking.k8s.io"`)
	}
	prunesBefore := prunes()
	dropPolicy.Store(true)
	waitFor(t, func() bool {
		err := plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "steady-netpol"}, &networkingv1.NetworkPolicy{})
		return apierrors.IsNotFound(err)
	})
	waitReady(t, plain, w)
	time.Sleep(3 * time.Second) // let the resync settle
	writes := objectWrites(counter.Writes())
	if got := oktWrites() - start; got != float64(len(writes)) {
		t.Errorf("%s moved by %v, the API server counted %d writes: %v", okt.MetricWrites, got, len(writes), writes)
	}
	if d := scrape(t, addr, okt.MetricWrites, `controller="Widget"`, `cause="drift"`, `kind="ConfigMap"`); d < 1 {
		t.Errorf("no drift write counted for the ConfigMap")
	}
	if d := prunes() - prunesBefore; d != 1 {
		t.Errorf("%v prune write(s) counted for the NetworkPolicy, want 1", d)
	}
	if d := scrape(t, addr, okt.MetricTimeToReady+"_count", `controller="Widget"`); d < 1 {
		t.Errorf("%s has no observation", okt.MetricTimeToReady)
	}

	// Issue 9, acceptance 6: the StatefulSet helper on a real StatefulSet.
	sts := &appsv1.StatefulSet{}
	if err := plain.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: "steady-sts"}, sts); err != nil {
		t.Fatal(err)
	}
	pods, err := resources.StatefulSetPods(context.Background(), plain, sts)
	if err != nil {
		t.Fatal(err)
	}
	st := resources.StatefulSetStateOf(sts, pods)
	if st.Replicas != 2 || st.Ready != 2 || st.Running != 2 || st.Updated != 2 || st.FirstNotReady != -1 ||
		st.CurrentRevision == "" || st.CurrentRevision != st.UpdateRevision || st.RollingOut() {
		t.Errorf("StatefulSet state %+v, want 2 pods ready, running and updated at one revision", st)
	}
}

func waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v", waitBound)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEvents: issue 9, acceptance 4. One Event per real change, none over
// five steady reconciles, and a Secret change's Event carries no value.
func TestEvents(t *testing.T) {
	needCluster(t)
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "events")
	const password = "hunter2-secret-value"
	build := func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{
			resources.NewMutable(&corev1.ConfigMap{ObjectMeta: objMeta(w, "cm")}, func(cm *corev1.ConfigMap) error {
				cm.Data = map[string]string{"message": w.Spec.Message}
				return nil
			}),
			resources.NewMutable(&corev1.Secret{ObjectMeta: objMeta(w, "secret")}, func(s *corev1.Secret) error {
				s.StringData = map[string]string{"password": password + w.Spec.Message}
				return nil
			}),
		}
	}
	rec := record.NewFakeRecorder(100)
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run), okt.WithEventRecorder(rec))
	events := func() []string {
		var out []string
		for {
			select {
			case e := <-rec.Events:
				out = append(out, e)
			default:
				return out
			}
		}
	}
	mustReconcile(t, r, request(w))
	// One Event per reconcile that changes something, listing the changes.
	want := []string{"Normal Created Created ConfigMap events-cm; Created Secret events-secret"}
	if got := events(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("creation events %q, want %q", got, want)
	}
	for range 5 {
		mustReconcile(t, r, request(w))
	}
	if got := events(); len(got) != 0 {
		t.Errorf("steady reconciles recorded %q", got)
	}
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Message = "-v2" })
	mustReconcile(t, r, request(w))
	want = []string{"Normal Updated Updated ConfigMap events-cm: its desired state changed; Updated Secret events-secret: its desired state changed"}
	if got := events(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spec change events %q, want %q", got, want)
	}
	s := &corev1.Secret{}
	edit(t, plain, client.ObjectKey{Namespace: ns, Name: "events-secret"}, s, func() { s.Data["password"] = []byte("tampered-by-hand") })
	mustReconcile(t, r, request(w))
	got := events()
	// The test's own client names no field manager: the API server records
	// the program's name, the first part of client-go's user agent
	// ("okt.test" under go test; make test-stress names its binaries
	// otherwise).
	program, _, _ := strings.Cut(rest.DefaultKubernetesUserAgent(), "/")
	want = []string{`Normal DriftCorrected Set back Secret events-secret: .data.password was changed on the live object by field manager "` + program + `" (Update)`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("drift events %q, want %q", got, want)
	}
	if l := leaks(strings.Join(got, "\n"), password+"-v2", "tampered-by-hand"); len(l) > 0 {
		t.Errorf("a Secret value leaked into an Event: %v", l)
	}

	// Changes of several kinds: one Event, reason Reconciled.
	build = func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{resources.NewMutable(&corev1.ConfigMap{ObjectMeta: objMeta(w, "cm")}, func(cm *corev1.ConfigMap) error {
			cm.Data = map[string]string{"message": w.Spec.Message}
			return nil
		})}
	}
	r = okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run), okt.WithEventRecorder(rec))
	updateWidget(t, plain, w, func(w *testapi.Widget) { w.Spec.Message = "-v3" })
	mustReconcile(t, r, request(w))
	want = []string{"Normal Reconciled Updated ConfigMap events-cm: its desired state changed; Deleted Secret events-secret: no longer wanted"}
	if got := events(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("mixed events %q, want %q", got, want)
	}
}

func resourceQuantity(s string) resource.Quantity { return resource.MustParse(s) }
