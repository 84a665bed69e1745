package resources_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt/resources"
)

func om(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: "ns"} }

func names(list []resources.Resource) []string {
	var out []string
	for _, r := range list {
		out = append(out, r.Key().Kind+"/"+r.Key().Name)
	}
	return out
}

func TestOrder(t *testing.T) {
	reg := resources.NewRegistry()
	// Registered in the wrong order on purpose: the app first.
	for _, r := range []resources.Resource{
		resources.New(&appsv1.Deployment{ObjectMeta: om("app")}, resources.DependsOn("job/migrate", "ConfigMap/settings")),
		resources.New(&corev1.ConfigMap{ObjectMeta: om("settings")}),
		resources.New(&batchv1.Job{ObjectMeta: om("migrate")}, resources.DependsOn("StatefulSet.apps/ns/db")),
		resources.New(&appsv1.StatefulSet{ObjectMeta: om("db")}),
		resources.New(&corev1.Service{ObjectMeta: om("db")}),
	} {
		if err := reg.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := reg.Order()
	if err != nil {
		t.Fatal(err)
	}
	// Dependencies before dependents, registration order otherwise.
	want := []string{"StatefulSet/db", "Job/migrate", "ConfigMap/settings", "Deployment/app", "Service/db"}
	if diff := cmp.Diff(want, names(got)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	waves := map[string]int{}
	for _, r := range got {
		waves[r.Key().Kind+"/"+r.Key().Name] = reg.Wave(r.Key())
	}
	if diff := cmp.Diff(map[string]int{"StatefulSet/db": 0, "Job/migrate": 1, "ConfigMap/settings": 0, "Deployment/app": 2, "Service/db": 0}, waves); diff != "" {
		t.Errorf("waves (-want +got):\n%s", diff)
	}
	if !reg.Ordered() {
		t.Error("Ordered() = false")
	}
	m, err := reg.Mermaid()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"flowchart LR", `r0["Deployment app"]`, "r2 --> r0", "r1 --> r0", "r3 --> r2"} {
		if !strings.Contains(m, line) {
			t.Errorf("Mermaid lacks %q:\n%s", line, m)
		}
	}
}

func TestOrderErrors(t *testing.T) {
	build := func(rs ...resources.Resource) *resources.Registry {
		reg := resources.NewRegistry()
		for _, r := range rs {
			if err := reg.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		return reg
	}
	t.Run("unknown", func(t *testing.T) {
		reg := build(resources.New(&batchv1.Job{ObjectMeta: om("migrate")}, resources.DependsOn("StatefulSet/dbb")),
			resources.New(&appsv1.StatefulSet{ObjectMeta: om("db")}))
		_, err := reg.Order()
		var de *resources.DependencyError
		if !errors.As(err, &de) {
			t.Fatalf("got %v, want a DependencyError", err)
		}
		for _, s := range []string{`Job.batch ns/migrate depends on "StatefulSet/dbb", which is not registered`, "StatefulSet.apps ns/db"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%q lacks %q", err, s)
			}
		}
		if reg.Dependencies(reg.All()[0]) != nil {
			t.Error("Dependencies of a broken order are not nil")
		}
	})
	t.Run("ambiguous", func(t *testing.T) {
		reg := build(resources.New(&batchv1.Job{ObjectMeta: om("migrate")}, resources.DependsOn("StatefulSet/db")),
			resources.New(&appsv1.StatefulSet{ObjectMeta: om("db")}),
			resources.New(&appsv1.StatefulSet{ObjectMeta: metav1.ObjectMeta{Name: "db", Namespace: "other"}}))
		_, err := reg.Order()
		if err == nil || !strings.Contains(err.Error(), "names 2 registered resources") {
			t.Errorf("got %v", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		reg := build(resources.New(&batchv1.Job{ObjectMeta: om("migrate")}, resources.DependsOn("db")))
		_, err := reg.Order()
		if err == nil || !strings.Contains(err.Error(), `cannot read the dependency "db": write Kind/name`) {
			t.Errorf("got %v", err)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		reg := build(
			resources.New(&corev1.ConfigMap{ObjectMeta: om("a")}),
			resources.New(&appsv1.Deployment{ObjectMeta: om("app")}, resources.DependsOn("Job/migrate")),
			resources.New(&batchv1.Job{ObjectMeta: om("migrate")}, resources.DependsOn("StatefulSet/db")),
			resources.New(&appsv1.StatefulSet{ObjectMeta: om("db")}, resources.DependsOn("Deployment/app")))
		_, err := reg.Order()
		var ce *resources.CycleError
		if !errors.As(err, &ce) {
			t.Fatalf("got %v, want a CycleError", err)
		}
		want := "cycle: Deployment.apps ns/app -> Job.batch ns/migrate -> StatefulSet.apps ns/db -> Deployment.apps ns/app: remove one of these DependsOn"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got %q, want it to contain %q", err, want)
		}
		if _, err := reg.Mermaid(); err == nil {
			t.Error("Mermaid of a cycle gave no error")
		}
	})
	t.Run("self", func(t *testing.T) {
		reg := build(resources.New(&corev1.ConfigMap{ObjectMeta: om("a")}, resources.DependsOn("configmap/a")))
		if _, err := reg.Order(); err == nil || !strings.Contains(err.Error(), "ConfigMap ns/a -> ConfigMap ns/a") {
			t.Errorf("got %v", err)
		}
	})
}
