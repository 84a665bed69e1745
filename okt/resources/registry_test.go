package resources_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt/resources"
)

func keysOf(rs []resources.Resource) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Key().String())
	}
	return out
}

func TestRegistry(t *testing.T) {
	tests := []struct {
		name     string
		add      []resources.Resource
		wantKeys []string
		wantErrs []string // one per Add, "" for success
	}{
		{
			name:     "empty",
			wantKeys: nil,
		},
		{
			name: "order kept",
			add: []resources.Resource{
				resources.New(configMap("b", nil)),
				resources.NewMutable(configMap("a", nil), nil),
				resources.New(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: ns}}),
				resources.New(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: ns}}),
				resources.New(configMap("c", nil)),
			},
			wantKeys: []string{"ConfigMap ns/b", "ConfigMap ns/a", "Deployment.apps ns/a", "Secret ns/a", "ConfigMap ns/c"},
			wantErrs: []string{"", "", "", "", ""},
		},
		{
			name: "duplicate rejected, mutable or not",
			add: []resources.Resource{
				resources.New(configMap("a", nil)),
				resources.NewMutable(configMap("a", map[string]string{"x": "y"}), nil),
				resources.New(configMap("b", nil)),
			},
			wantKeys: []string{"ConfigMap ns/a", "ConfigMap ns/b"},
			wantErrs: []string{"", "resource ConfigMap ns/a is already registered: give each resource its own name", ""},
		},
		{
			name: "same name in another namespace is not a duplicate",
			add: []resources.Resource{
				resources.New(configMap("a", nil)),
				resources.New(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "other"}}),
			},
			wantKeys: []string{"ConfigMap ns/a", "ConfigMap other/a"},
			wantErrs: []string{"", ""},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []*resources.Registry{resources.NewRegistry(), {}} {
				var errs []string
				for _, res := range tc.add {
					err := r.Add(res)
					if err == nil {
						errs = append(errs, "")
						continue
					}
					errs = append(errs, err.Error())
					var dup *resources.DuplicateError
					if !errors.As(err, &dup) {
						t.Errorf("Add() = %T, want *DuplicateError", err)
					} else if dup.Key != res.Key() {
						t.Errorf("DuplicateError.Key = %v, want %v", dup.Key, res.Key())
					}
				}
				if diff := cmp.Diff(tc.wantErrs, errs); diff != "" {
					t.Errorf("Add errors (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(tc.wantKeys, keysOf(r.All())); diff != "" {
					t.Errorf("All() (-want +got):\n%s", diff)
				}
				if r.Len() != len(tc.wantKeys) {
					t.Errorf("Len() = %d, want %d", r.Len(), len(tc.wantKeys))
				}
			}
		})
	}
}

func TestRegistryGet(t *testing.T) {
	r := resources.NewRegistry()
	first := resources.New(configMap("a", nil))
	if err := r.Add(first); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(resources.New(configMap("a", nil))); err == nil {
		t.Fatal("duplicate accepted")
	}
	got, ok := r.Get(first.Key())
	if !ok || got != first {
		t.Errorf("Get() = %v, %v; want the first resource", got, ok)
	}
	if _, ok := r.Get(resources.Key{Kind: "ConfigMap", Namespace: ns, Name: "missing"}); ok {
		t.Error("Get() of a missing key found something")
	}
}

func TestRegistryAllIsACopy(t *testing.T) {
	r := resources.NewRegistry()
	for _, n := range []string{"a", "b"} {
		if err := r.Add(resources.New(configMap(n, nil))); err != nil {
			t.Fatal(err)
		}
	}
	all := r.All()
	all[0] = nil
	_ = append(all[:1], resources.New(configMap("z", nil)))
	if diff := cmp.Diff([]string{"ConfigMap ns/a", "ConfigMap ns/b"}, keysOf(r.All())); diff != "" {
		t.Errorf("All() after modifying a copy (-want +got):\n%s", diff)
	}
}
