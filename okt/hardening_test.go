package okt_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
	"github.com/okt-dev/okt/okt/resources"
)

// zeroKinds builds objects whose safety fields are explicit zeros.
func zeroKinds(w *testapi.Widget) []resources.Resource {
	return []resources.Resource{
		resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "zero")}, func(d *appsv1.Deployment) error {
			d.Spec.Replicas = ptr.To[int32](0)
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: labels(w)}
			d.Spec.Template = podTemplate(w, "")
			return nil
		}),
		resources.NewMutable(&corev1.ServiceAccount{ObjectMeta: objMeta(w, "zero")}, func(sa *corev1.ServiceAccount) error {
			sa.AutomountServiceAccountToken = ptr.To(false)
			return nil
		}),
		resources.NewMutable(&batchv1.CronJob{ObjectMeta: objMeta(w, "zero")}, func(c *batchv1.CronJob) error {
			c.Spec.Schedule = "*/5 * * * *"
			c.Spec.Suspend = ptr.To(false)
			c.Spec.JobTemplate.Spec.Template = podTemplate(w, corev1.RestartPolicyOnFailure)
			return nil
		}),
	}
}

// TestExplicitZerosAreEnforced: issue 7, acceptance 1. replicas: 0,
// allowPrivilegeEscalation: false, automountServiceAccountToken: false and
// suspend: false are managed fields: a live edit of each is set back, and the
// steady state sends nothing.
func TestExplicitZerosAreEnforced(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	counted, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "zeros")
	r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](widgetSteps{build: zeroKinds}.run))
	reconcileUntilReady(t, r, plain, w)
	key := func(suffix string) client.ObjectKey {
		return client.ObjectKey{Namespace: ns, Name: w.Name + "-" + suffix}
	}

	dep, sa, cron := &appsv1.Deployment{}, &corev1.ServiceAccount{}, &batchv1.CronJob{}
	edit(t, plain, key("zero"), dep, func() {
		dep.Spec.Replicas = ptr.To[int32](3)
		dep.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true)
	})
	edit(t, plain, key("zero"), sa, func() { sa.AutomountServiceAccountToken = ptr.To(true) })
	edit(t, plain, key("zero"), cron, func() { cron.Spec.Suspend = ptr.To(true) })

	counter.Reset()
	fullBefore, _ := resources.DriftChecks()
	mustReconcile(t, r, request(w))
	if full, _ := resources.DriftChecks(); full-fullBefore < 3 {
		t.Errorf("the edited objects took the fast path: %d full drift checks, want 3", full-fullBefore)
	}
	if _, objects := writesByObject(counter.Writes()); len(objects) != 1 || objects[w.Name+"-zero"] != 3 {
		t.Errorf("writes %v, want one on each of the three objects", counter.Writes())
	}
	for _, obj := range []client.Object{dep, sa, cron} {
		if err := plain.Get(ctx, key("zero"), obj); err != nil {
			t.Fatal(err)
		}
	}
	if got := *dep.Spec.Replicas; got != 0 {
		t.Errorf("replicas %d, want it set back to 0", got)
	}
	if got := dep.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation; got == nil || *got {
		t.Errorf("allowPrivilegeEscalation %v, want it set back to false", got)
	}
	if got := sa.AutomountServiceAccountToken; got == nil || *got {
		t.Errorf("automountServiceAccountToken %v, want it set back to false", got)
	}
	if got := cron.Spec.Suspend; got == nil || *got {
		t.Errorf("suspend %v, want it set back to false", got)
	}
	reconcileUntilReady(t, r, plain, w)
	mustReconcile(t, r, request(w)) // the last resourceVersions checked once
	_, fastBefore := resources.DriftChecks()
	for i := range 3 {
		counter.Reset()
		mustReconcile(t, r, request(w))
		if got := counter.Writes(); len(got) != 0 {
			t.Errorf("steady reconcile %d sent %v", i+1, got)
		}
	}
	if _, fast := resources.DriftChecks(); fast-fastBefore != 9 {
		t.Errorf("3 steady reconciles of 3 objects: %d fast drift checks, want 9", fast-fastBefore)
	}
}

// logSink records every log line at every verbosity.
type logSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *logSink) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, prefix+" "+args)
	}, funcr.Options{Verbosity: 10})
}

func (l *logSink) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// dumpColumn matches the text column of a hex dump, as client-go logs
// request and response bodies at V(8).
var dumpColumn = regexp.MustCompile(`\|([^|\n]{1,16})\|`)

// leaks returns the forms of the secret values found in text, including
// those split across the lines of a hex dump.
func leaks(text string, values ...string) []string {
	var dumps strings.Builder
	for _, m := range dumpColumn.FindAllStringSubmatch(text, -1) {
		dumps.WriteString(m[1])
	}
	text += "\n" + dumps.String()
	var out []string
	for _, v := range values {
		for _, form := range []string{v, base64.StdEncoding.EncodeToString([]byte(v))} {
			if strings.Contains(text, form) {
				out = append(out, form)
			}
		}
	}
	return out
}

// TestSecretValuesNeverLeave: issue 7, acceptance 2. A Secret edited by hand
// is set back; neither its old nor its new value appears in a log line (at
// any verbosity), a condition or an error, in clear or in base64, even when
// the write fails with an error that quotes the object.
func TestSecretValuesNeverLeave(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	_, _, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "secret")
	const desired, tampered = "correct-horse-battery", "tampered-by-hand"
	build := func(w *testapi.Widget) []resources.Resource {
		return []resources.Resource{resources.NewMutable(&corev1.Secret{ObjectMeta: objMeta(w, "creds")}, func(s *corev1.Secret) error {
			s.StringData = map[string]string{"password": desired}
			return nil
		})}
	}
	var sink logSink
	lctx := logr.NewContext(ctx, sink.logger())
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run))
	if _, err := r.Reconcile(lctx, request(w)); err != nil {
		t.Fatal(err)
	}
	key := client.ObjectKey{Namespace: ns, Name: w.Name + "-creds"}
	tamper := func() {
		t.Helper()
		s := &corev1.Secret{}
		if err := plain.Get(ctx, key, s); err != nil {
			t.Fatal(err)
		}
		s.Data["password"] = []byte(tampered)
		if err := plain.Update(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tamper()
	if _, err := r.Reconcile(lctx, request(w)); err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{}
	if err := plain.Get(ctx, key, s); err != nil {
		t.Fatal(err)
	}
	if string(s.Data["password"]) != desired {
		t.Errorf("password %q, want it set back", s.Data["password"])
	}
	if !strings.Contains(sink.text(), ".data.password") {
		t.Errorf("the reason of the update lost its field path:\n%s", sink.text())
	}

	// A failing write whose error quotes both values (as an admission
	// webhook's denial may).
	tamper()
	quoting := interceptor.NewClient(mustWatch(t), interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			if _, ok := obj.(*corev1.Secret); ok {
				data, _ := p.Data(obj)
				return apierrors.NewBadRequest(fmt.Sprintf("denied by policy: patch %s, was %q", data, tampered))
			}
			return c.Patch(ctx, obj, p, opts...)
		},
	})
	r = okt.New[*testapi.Widget](quoting, okt.EngineFunc[*testapi.Widget](widgetSteps{build: build}.run))
	_, recErr := r.Reconcile(lctx, request(w))
	if recErr == nil {
		t.Fatal("the failing write was not reported")
	}
	cur := getWidget(t, plain, w)
	ready := meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
	if ready == nil || ready.Status != metav1.ConditionFalse || !strings.Contains(ready.Message, "denied by policy") {
		t.Fatalf("Ready %+v, want False with the denial", ready)
	}
	for what, text := range map[string]string{"logs": sink.text(), "condition": ready.Message, "error": recErr.Error()} {
		if l := leaks(text, desired, tampered); len(l) > 0 {
			t.Errorf("%s leak %v:\n%s", what, l, text)
		}
	}
	if !apierrors.IsBadRequest(recErr) {
		t.Errorf("the redacted error lost its classification: %v", recErr)
	}
}

// mustWatch returns a direct client with watch support on the test cluster.
func mustWatch(t testing.TB) client.WithWatch {
	t.Helper()
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
