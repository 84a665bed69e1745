package resources_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt/resources"
)

var errBoom = errors.New("boom")

func TestKey(t *testing.T) {
	crontab := &unstructured.Unstructured{}
	crontab.SetGroupVersionKind(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "CronTab"})
	crontab.SetName("c")
	crontab.SetNamespace(ns)

	tests := []struct {
		name string
		res  resources.Resource
		want resources.Key
		str  string
	}{
		{
			name: "core kind",
			res:  resources.New(configMap("cfg", nil)),
			want: resources.Key{Kind: "ConfigMap", Namespace: ns, Name: "cfg"},
			str:  "ConfigMap ns/cfg",
		},
		{
			name: "kind with a group",
			res:  resources.NewMutable(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}}, nil),
			want: resources.Key{Group: "apps", Kind: "Deployment", Namespace: ns, Name: "web"},
			str:  "Deployment.apps ns/web",
		},
		{
			name: "cluster-scoped",
			res:  resources.New(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}}),
			want: resources.Key{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: "reader"},
			str:  "ClusterRole.rbac.authorization.k8s.io reader",
		},
		{
			name: "custom kind from its type meta",
			res:  resources.New(crontab),
			want: resources.Key{Group: "example.com", Kind: "CronTab", Namespace: ns, Name: "c"},
			str:  "CronTab.example.com ns/c",
		},
		{
			name: "type meta wins over the scheme",
			res: resources.New(&corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: ns},
			}),
			want: resources.Key{Kind: "ConfigMap", Namespace: ns, Name: "cfg"},
			str:  "ConfigMap ns/cfg",
		},
		{
			name: "unknown type without type meta: Go type name",
			res:  resources.New(&unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": "u"}}}),
			want: resources.Key{Kind: "Unstructured", Name: "u"},
			str:  "Unstructured u",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, tc.res.Key()); diff != "" {
				t.Errorf("Key() (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.str, tc.res.Key().String()); diff != "" {
				t.Errorf("Key().String() (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewTakesItsInput: New uses its object as the initial data without
// copying it (a builder makes one object per resource): okt never modifies
// it, each Prepare works on a copy, and an object renamed after New is
// refused with an error that says what to do.
func TestNewTakesItsInput(t *testing.T) {
	cm := configMap("cfg", map[string]string{"a": "1"})
	r := resources.NewMutable(cm, func(c *corev1.ConfigMap) error {
		c.Data["b"] = "2"
		return nil
	})
	if err := r.Prepare(t.Context(), newEnv(t)); err != nil {
		t.Fatal(err)
	}
	if got := r.Desired().(*corev1.ConfigMap); got == cm || got.Data["b"] != "2" {
		t.Errorf("desired %p %v, want a mutated copy of %p", got, got.Data, cm)
	}
	if len(cm.Data) != 1 || cm.Annotations != nil || cm.OwnerReferences != nil {
		t.Errorf("New's object was modified: %+v", cm)
	}
	cm.Name = "renamed"
	err := r.Prepare(t.Context(), newEnv(t))
	if err == nil || !strings.Contains(err.Error(), "do not change it after resources.New or NewMutable") {
		t.Errorf("Prepare after a rename: %v, want an error saying not to change the object", err)
	}
}

func TestPrepareOwnerReference(t *testing.T) {
	tests := []struct {
		name string
		opts []resources.Option
		env  func(resources.Env) resources.Env
		want []metav1.OwnerReference
	}{
		{name: "controller owner reference", want: []metav1.OwnerReference{ownerRef()}},
		{name: "WithoutOwnerReference", opts: []resources.Option{resources.WithoutOwnerReference()}},
		{name: "no owner", env: func(e resources.Env) resources.Env { e.Owner = nil; return e }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			if tc.env != nil {
				env = tc.env(env)
			}
			for _, r := range []resources.Resource{
				resources.New(configMap("cfg", nil), tc.opts...),
				resources.NewMutable(configMap("cfg", nil), nil, tc.opts...),
			} {
				if err := r.Prepare(t.Context(), env); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, r.Desired().GetOwnerReferences()); diff != "" {
					t.Errorf("%T owner references (-want +got):\n%s", r, diff)
				}
			}
		})
	}
}

func TestPrepareSetsTypeMeta(t *testing.T) {
	r := resources.New(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns}})
	if err := r.Prepare(t.Context(), newEnv(t)); err != nil {
		t.Fatal(err)
	}
	want := schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
	if diff := cmp.Diff(want, r.Desired().GetObjectKind().GroupVersionKind()); diff != "" {
		t.Errorf("GVK (-want +got):\n%s", diff)
	}
}

func TestPrepareErrors(t *testing.T) {
	tests := []struct {
		name   string
		res    resources.Resource
		env    func(resources.Env) resources.Env
		want   []string // substrings of the error
		target error
	}{
		{
			name: "rename",
			res: resources.NewMutable(configMap("cfg", nil), func(c *corev1.ConfigMap) error {
				c.Name = "other"
				return nil
			}),
			want: []string{"ConfigMap ns/cfg", `"other"`, "must not change the name or namespace"},
		},
		{
			name: "move to another namespace",
			res: resources.NewMutable(configMap("cfg", nil), func(c *corev1.ConfigMap) error {
				c.Namespace = "elsewhere"
				return nil
			}),
			want: []string{"ConfigMap ns/cfg", `"elsewhere"`, "must not change the name or namespace"},
		},
		{
			name: "missing name",
			res:  resources.New(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: ns}}),
			want: []string{"ConfigMap has no name", "metadata.name"},
		},
		{
			name: "missing name, mutable",
			res:  resources.NewMutable(&corev1.Secret{}, nil),
			want: []string{"Secret has no name"},
		},
		{
			name: "mutation error returned as is",
			res: resources.NewMutable(configMap("cfg", nil), func(*corev1.ConfigMap) error {
				return errBoom
			}),
			target: errBoom,
		},
		{
			name: "owner without a scheme",
			res:  resources.New(configMap("cfg", nil)),
			env:  func(e resources.Env) resources.Env { e.Scheme = nil; return e },
			want: []string{"cannot set the owner reference of ConfigMap ns/cfg", "Scheme is nil"},
		},
		{
			name: "object already controlled by another owner",
			res: resources.New(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
				Name: "cfg", Namespace: ns,
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "v1", Kind: "ConfigMap", Name: "boss", UID: "boss-uid", Controller: ptrTrue(),
				}},
			}}),
			want: []string{"cannot set the owner reference"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			if tc.env != nil {
				env = tc.env(env)
			}
			err := tc.res.Prepare(t.Context(), env)
			if err == nil {
				t.Fatal("Prepare() succeeded, want an error")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("Prepare() = %v, want %v", err, tc.target)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
			if tc.res.Desired() != nil {
				t.Error("Desired() != nil after a failed Prepare")
			}
		})
	}
}

func ptrTrue() *bool { t := true; return &t }

func TestSecretStringDataFolded(t *testing.T) {
	r := resources.New(&corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: ns},
		Data:       map[string][]byte{"user": []byte("admin"), "password": []byte("old")},
		StringData: map[string]string{"password": "hunter2"},
	})
	env := newEnv(t)
	if err := r.Prepare(t.Context(), env); err != nil {
		t.Fatal(err)
	}
	got := r.Desired().(*corev1.Secret)
	want := map[string][]byte{"user": []byte("admin"), "password": []byte("hunter2")}
	if diff := cmp.Diff(want, got.Data); diff != "" {
		t.Errorf("desired data (-want +got):\n%s", diff)
	}
	if got.StringData != nil {
		t.Errorf("desired stringData = %v, want nil", got.StringData)
	}
	if err := r.Create(t.Context(), env); err != nil {
		t.Fatal(err)
	}
	stored := get(t, env, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: ns}})
	if diff := cmp.Diff(want, stored.Data); diff != "" {
		t.Errorf("stored data (-want +got):\n%s", diff)
	}
}

func TestSecretFoldStringData(t *testing.T) {
	tests := []struct {
		name string
		in   corev1.Secret
		want corev1.Secret
	}{
		{name: "nothing"},
		{
			name: "empty stringData becomes nil",
			in:   corev1.Secret{StringData: map[string]string{}},
		},
		{
			name: "data kept",
			in:   corev1.Secret{Data: map[string][]byte{"a": []byte("1")}},
			want: corev1.Secret{Data: map[string][]byte{"a": []byte("1")}},
		},
		{
			name: "stringData without data",
			in:   corev1.Secret{StringData: map[string]string{"a": "1"}},
			want: corev1.Secret{Data: map[string][]byte{"a": []byte("1")}},
		},
		{
			name: "stringData wins",
			in: corev1.Secret{
				Data:       map[string][]byte{"a": []byte("data"), "b": []byte("2")},
				StringData: map[string]string{"a": "string", "c": "3"},
			},
			want: corev1.Secret{Data: map[string][]byte{"a": []byte("string"), "b": []byte("2"), "c": []byte("3")}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.in.DeepCopy()
			resources.SecretFoldStringData(s)
			if diff := cmp.Diff(tc.want, *s); diff != "" {
				t.Errorf("SecretFoldStringData (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	ctx := t.Context()
	env := newEnv(t)
	r := resources.New(configMap("cfg", map[string]string{"a": "1"}))

	if r.Desired() != nil || r.Live() != nil || r.Exists() {
		t.Fatal("a new resource has a desired or live object")
	}
	if err := r.Fetch(ctx, env); err != nil {
		t.Fatalf("Fetch of a missing object: %v", err)
	}
	if r.Exists() || r.Live() != nil {
		t.Fatal("Exists() after Fetch of a missing object")
	}

	if err := r.Create(ctx, env); err != nil { // prepares first
		t.Fatal(err)
	}
	if !r.Exists() || r.Live() == nil {
		t.Fatal("!Exists() after Create")
	}
	if r.Desired() == nil {
		t.Fatal("Desired() == nil after Create")
	}
	// Create is a server-side apply: a second one (a stale cache's, say)
	// finds the object as declared and changes nothing.
	rv := r.Live().GetResourceVersion()
	if err := r.Create(ctx, env); err != nil || r.Live().GetResourceVersion() != rv {
		t.Errorf("second Create() = %v, resourceVersion %s -> %s, want no error and no change", err, rv, r.Live().GetResourceVersion())
	}

	// Another resource for the same object finds it.
	again := resources.New(configMap("cfg", nil))
	if err := again.Fetch(ctx, env); err != nil {
		t.Fatal(err)
	}
	if !again.Exists() {
		t.Fatal("!Exists() after Fetch of an existing object")
	}
	live := again.Live().(*corev1.ConfigMap)
	if diff := cmp.Diff(map[string]string{"a": "1"}, live.Data); diff != "" {
		t.Errorf("live data (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]metav1.OwnerReference{ownerRef()}, live.OwnerReferences); diff != "" {
		t.Errorf("live owner references (-want +got):\n%s", diff)
	}

	if err := r.Delete(ctx, env); err != nil {
		t.Fatal(err)
	}
	if r.Exists() || r.Live() != nil {
		t.Error("Exists() after Delete")
	}
	err := env.Client.Get(ctx, client.ObjectKey{Namespace: ns, Name: "cfg"}, &corev1.ConfigMap{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("Get after Delete = %v, want NotFound", err)
	}
	if err := r.Delete(ctx, env); err != nil {
		t.Errorf("Delete of a missing object: %v", err)
	}
}

func TestDeleteIsBackground(t *testing.T) {
	var policy *metav1.DeletionPropagation
	env := newEnvWith(t, interceptor.Funcs{
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			o := &client.DeleteOptions{}
			o.ApplyOptions(opts)
			policy = o.PropagationPolicy
			return c.Delete(ctx, obj, opts...)
		},
	}, configMap("cfg", nil))
	if err := resources.New(configMap("cfg", nil)).Delete(t.Context(), env); err != nil {
		t.Fatal(err)
	}
	if policy == nil || *policy != metav1.DeletePropagationBackground {
		t.Errorf("propagation policy = %v, want Background", policy)
	}
}

func TestClientErrors(t *testing.T) {
	env := newEnvWith(t, interceptor.Funcs{
		Get: func(context.Context, client.WithWatch, client.ObjectKey, client.Object, ...client.GetOption) error {
			return errBoom
		},
		Patch: func(context.Context, client.WithWatch, client.Object, client.Patch, ...client.PatchOption) error {
			return errBoom // creations are applies
		},
		Delete: func(context.Context, client.WithWatch, client.Object, ...client.DeleteOption) error {
			return errBoom
		},
	})
	ctx := t.Context()
	r := resources.New(configMap("cfg", nil))
	if err := r.Fetch(ctx, env); !errors.Is(err, errBoom) {
		t.Errorf("Fetch() = %v, want %v", err, errBoom)
	}
	if err := r.Create(ctx, env); !errors.Is(err, errBoom) {
		t.Errorf("Create() = %v, want %v", err, errBoom)
	}
	if r.Exists() {
		t.Error("Exists() after a failed Create")
	}
	if err := r.Delete(ctx, env); !errors.Is(err, errBoom) {
		t.Errorf("Delete() = %v, want %v", err, errBoom)
	}

	bad := resources.New(configMap("", nil))
	if err := bad.Create(ctx, env); err == nil || !strings.Contains(err.Error(), "has no name") {
		t.Errorf("Create() without a name = %v, want a missing name error", err)
	}
}

func TestLeaveToOthersBadPath(t *testing.T) {
	m := resources.NewMutable(configMap("cfg", nil), nil, resources.LeaveToOthers("data.key"))
	err := m.Prepare(t.Context(), resources.Env{Scheme: clientgoscheme.Scheme, Owner: owner()})
	if err == nil || !strings.Contains(err.Error(), "LeaveToOthers") || !strings.Contains(err.Error(), "must start with a dot") {
		t.Errorf("Prepare() = %v, want the bad LeaveToOthers path named, with the fix", err)
	}
}
