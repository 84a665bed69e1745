package resources_test

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
)

// The examples below are quoted by docs/owned-objects.md, docs/ownership.md
// and docs/readiness.md (hack/doctest checks the quotes).

// An application in three steps: the database, a migration once it is
// ready, the application once the migration is complete.
func ExampleDependsOn() {
	cr := metav1.ObjectMeta{Name: "web", Namespace: "demo"}
	meta := func(suffix string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: cr.Name + "-" + suffix, Namespace: cr.Namespace}
	}
	db := resources.NewMutable(&appsv1.StatefulSet{ObjectMeta: meta("db")}, nil)
	migrate := resources.NewMutable(&batchv1.Job{ObjectMeta: meta("migrate")}, nil,
		resources.DependsOn("StatefulSet/"+cr.Name+"-db"), resources.RecreateOnImmutableChange())
	app := resources.NewMutable(&appsv1.Deployment{ObjectMeta: meta("app")}, nil,
		resources.DependsOn("Job/"+cr.Name+"-migrate"))

	reg := resources.NewRegistry()
	for _, r := range []resources.Resource{app, migrate, db} { // any registration order
		_ = reg.Add(r)
	}
	order, _ := reg.Order()
	for _, r := range order {
		fmt.Println(reg.Wave(r.Key()), r.Key())
	}
	mermaid, _ := reg.Mermaid()
	fmt.Print(mermaid)
	// Output:
	// 0 StatefulSet.apps demo/web-db
	// 1 Job.batch demo/web-migrate
	// 2 Deployment.apps demo/web-app
	// flowchart LR
	//     r0["Deployment web-app"]
	//     r1["Job web-migrate"]
	//     r2["StatefulSet web-db"]
	//     r1 --> r0
	//     r2 --> r1
}

// A cycle is an error of the registration, named in the custom resource's
// Ready condition.
func ExampleCycleError() {
	reg := resources.NewRegistry()
	_ = reg.Add(resources.New(&batchv1.Job{ObjectMeta: metav1.ObjectMeta{Name: "migrate", Namespace: "demo"}},
		resources.DependsOn("Deployment/app")))
	_ = reg.Add(resources.New(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: "demo"}},
		resources.DependsOn("Job/migrate")))
	_, err := reg.Order()
	fmt.Println(err)
	// Output:
	// the owned resources depend on each other in a cycle: Job.batch demo/migrate -> Deployment.apps demo/app -> Job.batch demo/migrate: remove one of these DependsOn
}

// A custom resource of another operator, without its Go module: an
// unstructured object with its apiVersion and kind.
func ExampleNewMutable_unstructured() {
	monitor, err := resources.Decode[*unstructured.Unstructured](`
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
spec:
  endpoints:
  - port: metrics
`)
	if err != nil {
		fmt.Println(err)
		return
	}
	monitor.SetName("web-metrics")
	monitor.SetNamespace("demo")
	interval := "30s" // from the custom resource's spec, say
	res := resources.NewMutable(monitor, func(u *unstructured.Unstructured) error {
		return unstructured.SetNestedField(u.Object, interval, "spec", "interval")
	})
	owner := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo", UID: "1234"}}
	if err := res.Prepare(context.Background(), resources.Env{Scheme: scheme.Scheme, Owner: owner}); err != nil {
		fmt.Println(err)
		return
	}
	desired := res.Desired().(*unstructured.Unstructured)
	got, _, _ := unstructured.NestedString(desired.Object, "spec", "interval")
	fmt.Println(res.Key(), got, desired.GetOwnerReferences()[0].Name)
	// Output:
	// ServiceMonitor.monitoring.coreos.com demo/web-metrics 30s web
}

// A cluster-scoped object of a namespaced custom resource is tied to it by
// okt's owner label and annotations, not an owner reference.
func ExampleOwnerOf() {
	owner := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo", UID: "1234"}}
	ns := resources.NewMutable(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "demo-web-work"}}, nil)
	if err := ns.Prepare(context.Background(), resources.Env{Scheme: scheme.Scheme, Owner: owner}); err != nil {
		fmt.Println(err)
		return
	}
	d := ns.Desired()
	uid, name := resources.OwnerOf(d)
	fmt.Println(uid, name, len(d.GetOwnerReferences()), d.GetLabels()[resources.OwnerUIDLabel])
	// Output:
	// 1234 ConfigMap demo/web 0 1234
}

// A field handed to another writer: the HPA scales the Deployment, okt never
// sets its replicas back.
func ExampleLeaveToOthers() {
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "demo"}}
	mutate := func(d *appsv1.Deployment) error {
		d.Spec.Replicas = ptr.To[int32](2) // the initial size; the HPA's afterwards
		return nil
	}
	res := resources.NewMutable(dep, mutate, resources.LeaveToOthers(".spec.replicas"))
	fmt.Println(res.Key())
	// Output:
	// Deployment.apps demo/web
}

// Readiness taught for a kind whose status says it differently: a
// CloudNativePG Cluster is ready in its phase "Cluster in healthy state".
func ExampleWithReadiness() {
	cluster := map[string]any{"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster",
		"metadata": map[string]any{"name": "web-db", "namespace": "demo"}}
	mutate := func(*unstructured.Unstructured) error { return nil }
	res := resources.NewMutable(&unstructured.Unstructured{Object: cluster}, mutate,
		resources.WithReadiness(func(live client.Object) resources.Readiness {
			u := live.(*unstructured.Unstructured)
			phase, _, _ := unstructured.NestedString(u.Object, "status", "phase")
			if !strings.Contains(phase, "healthy") {
				return resources.Readiness{State: resources.Progressing, Message: "phase " + phase}
			}
			return resources.Readiness{State: resources.IsReady}
		}))
	fmt.Println(res.Key(), res.Readiness().Message) // before it exists
	// Output:
	// Cluster.postgresql.cnpg.io demo/web-db not created yet
}
