package okt_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// orderedApp is an application in three steps, registered in the reverse
// order on purpose: its app Deployment runs once the migration Job is
// complete, which runs once the database StatefulSet is ready.
func orderedApp(w *testapi.Widget) []resources.Resource {
	return []resources.Resource{
		resources.NewMutable(&appsv1.Deployment{ObjectMeta: objMeta(w, "app")}, func(d *appsv1.Deployment) error {
			d.Spec.Replicas = ptr.To[int32](2)
			d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"part": "app"}}
			d.Spec.Template = podTemplate(w, "")
			d.Spec.Template.Labels = map[string]string{"part": "app"}
			return nil
		}, resources.DependsOn("Job/"+w.Name+"-migrate")),
		resources.NewMutable(&batchv1.Job{ObjectMeta: objMeta(w, "migrate")}, func(j *batchv1.Job) error {
			j.Spec.BackoffLimit = ptr.To[int32](2)
			j.Spec.Template = podTemplate(w, corev1.RestartPolicyNever)
			j.Spec.Template.Labels = map[string]string{"part": "migrate"}
			return nil
		}, resources.DependsOn("StatefulSet/"+w.Name+"-db")),
		resources.NewMutable(&appsv1.StatefulSet{ObjectMeta: objMeta(w, "db")}, func(s *appsv1.StatefulSet) error {
			s.Spec.Replicas = ptr.To[int32](2)
			s.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"part": "db"}}
			s.Spec.Template = podTemplate(w, "")
			s.Spec.Template.Labels = map[string]string{"part": "db"}
			return nil
		}),
	}
}

// TestOrderedObjects: issue 18, acceptance 4, on the local cluster. The Job
// is created only once the StatefulSet is ready, the Deployment only once
// the Job is complete; meanwhile the Widget's Ready message names what it
// waits for. Deleting the Widget deletes them in reverse order, each once
// the one after it is gone.
func TestOrderedObjects(t *testing.T) {
	needCluster(t)
	ctx := context.Background()
	countingClient, counter, plain := newClients(t)
	ns := newNamespace(t, plain)
	w := newWidget(t, plain, ns, "ordered")
	r := okt.New[*testapi.Widget](plain, okt.EngineFunc[*testapi.Widget](widgetSteps{build: orderedApp}.run))
	counted := okt.New[*testapi.Widget](countingClient, okt.EngineFunc[*testapi.Widget](widgetSteps{build: orderedApp}.run))

	type seen struct {
		sts, job, dep             bool
		stsReady, jobDone, depRdy bool
	}
	look := func() (s seen) {
		t.Helper()
		sts, job, dep := &appsv1.StatefulSet{}, &batchv1.Job{}, &appsv1.Deployment{}
		for _, x := range []struct {
			obj    client.Object
			exists *bool
			ready  *bool
		}{{sts, &s.sts, &s.stsReady}, {job, &s.job, &s.jobDone}, {dep, &s.dep, &s.depRdy}} {
			name := map[client.Object]string{sts: "ordered-db", job: "ordered-migrate", dep: "ordered-app"}[x.obj]
			err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, x.obj)
			if err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
			*x.exists = err == nil
			*x.ready = err == nil && resources.ReadinessOf(x.obj).Ready()
		}
		return s
	}
	ready := func() *metav1.Condition {
		return meta.FindStatusCondition(getWidget(t, plain, w).Status.Conditions, okt.ConditionReady)
	}

	mustReconcile(t, r, request(w))
	s := look()
	if !s.sts || s.job || s.dep {
		t.Fatalf("after the first reconcile: %+v, want the StatefulSet alone", s)
	}
	c := ready()
	if c == nil || c.Reason != okt.ReasonProgressing ||
		!strings.Contains(c.Message, "Job ordered-migrate: waiting for StatefulSet ordered-db") ||
		!strings.Contains(c.Message, "Deployment ordered-app: waiting for Job ordered-migrate") {
		t.Errorf("Ready %+v, want Progressing naming what the Job and the Deployment wait for", c)
	}
	if !controllerutil.ContainsFinalizer(getWidget(t, plain, w), "test.okt.orange.com/finalizer") {
		t.Error("ordered objects, and no finalizer to delete them in order")
	}

	var waitMessages []string
	deadline := time.Now().Add(waitBound)
	for {
		before := look()
		mustReconcile(t, r, request(w))
		after := look()
		// Readiness only moves forward here: what the reconcile saw ready
		// is ready after it.
		if after.job && !before.job && !after.stsReady {
			t.Error("the Job was created before the StatefulSet was ready")
		}
		if after.dep && !before.dep && !after.jobDone {
			t.Error("the Deployment was created before the Job was complete")
		}
		if c := ready(); c != nil {
			if c.Status == metav1.ConditionTrue {
				break
			}
			if len(waitMessages) == 0 || waitMessages[len(waitMessages)-1] != c.Message {
				waitMessages = append(waitMessages, c.Message)
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not Ready after %s: %+v; messages %q\n%s", waitBound, look(), waitMessages, stuck(ns))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if !slices.ContainsFunc(waitMessages, func(m string) bool {
		return strings.Contains(m, "Deployment ordered-app: waiting for Job ordered-migrate") && !strings.Contains(m, "waiting for StatefulSet")
	}) {
		t.Errorf("no Ready message named the Job alone as awaited: %q", waitMessages)
	}
	inv, err := okt.Inventory(getWidget(t, plain, w))
	if err != nil {
		t.Fatal(err)
	}
	waves := map[string]int32{}
	for _, e := range inv {
		waves[e.Kind] = e.Wave
	}
	if waves["StatefulSet"] != 0 || waves["Job"] != 1 || waves["Deployment"] != 2 {
		t.Errorf("inventory waves %v", waves)
	}

	// Deletion, in reverse order: each goes once the one after it is gone.
	// A finalizer of the test's holds the Deployment for a while: nothing
	// else may be deleted until it is gone.
	dep := &appsv1.Deployment{}
	if err := plain.Get(ctx, client.ObjectKey{Namespace: ns, Name: "ordered-app"}, dep); err != nil {
		t.Fatal(err)
	}
	dep.Finalizers = append(dep.Finalizers, "test.okt.orange.com/hold")
	if err := plain.Update(ctx, dep); err != nil {
		t.Fatal(err)
	}
	if err := plain.Delete(ctx, getWidget(t, plain, w)); err != nil {
		t.Fatal(err)
	}
	counter.Reset()
	for range 3 {
		mustReconcile(t, counted, request(w))
		time.Sleep(100 * time.Millisecond)
	}
	if got := deletes(counter.Sequence()); !slices.Equal(got, []string{"deployments/ordered-app"}) {
		t.Errorf("while the Deployment terminates, deletes %v; want the Deployment's alone", got)
	}
	if c := ready(); c == nil || c.Reason != okt.ReasonDeleting || !strings.Contains(c.Message, "waiting for Deployment ordered-app to be gone, then 2 more") {
		t.Errorf("Ready %+v, want Deleting naming the Deployment", c)
	}
	if err := plain.Get(ctx, client.ObjectKeyFromObject(dep), dep); err != nil {
		t.Fatal(err)
	}
	dep.Finalizers = nil
	if err := plain.Update(ctx, dep); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(waitBound)
	for {
		_, err := counted.Reconcile(ctx, request(w))
		if err != nil && !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
		if err := plain.Get(ctx, client.ObjectKeyFromObject(w), &testapi.Widget{}); apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Widget is still there after %s; deletes %v", waitBound, deletes(counter.Sequence()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got, want := deletes(counter.Sequence()), []string{"deployments/ordered-app", "jobs/ordered-migrate", "statefulsets/ordered-db"}; !slices.Equal(got, want) {
		t.Errorf("deletes %v, want %v", got, want)
	}
	if s := look(); s.sts || s.job || s.dep {
		t.Errorf("left after the Widget is gone: %+v", s)
	}
}

// deletes returns the DELETE requests of writes, as "<resource>/<name>".
func deletes(writes []string) []string {
	var out []string
	for _, w := range writes {
		if method, path, _ := strings.Cut(w, " "); method == "DELETE" {
			parts := strings.Split(path, "/")
			out = append(out, strings.Join(parts[len(parts)-2:], "/"))
		}
	}
	return out
}
