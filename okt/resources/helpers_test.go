package resources_test

import (
	"context"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"github.com/okt-dev/okt/okt/resources"
)

const (
	ns       = "ns"
	ownerUID = "owner-uid"
)

// owner stands for the custom resource: any namespaced built-in object will do.
func owner() *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner", Namespace: ns, UID: ownerUID}}
}

// ownerRef is the controller owner reference Prepare sets to owner().
func ownerRef() metav1.OwnerReference {
	t := true
	return metav1.OwnerReference{
		APIVersion: "v1", Kind: "ConfigMap", Name: "owner", UID: ownerUID,
		Controller: &t, BlockOwnerDeletion: &t,
	}
}

// newEnv returns an Env over a client of the real API server holding objs
// (created for the test, deleted after it, as is every object of the
// namespace), owned by owner().
func newEnv(t *testing.T, objs ...client.Object) resources.Env {
	t.Helper()
	return resources.Env{Client: realClient(t, objs), Scheme: scheme.Scheme, Owner: owner()}
}

// newEnvWith is newEnv with interceptors on the client.
func newEnvWith(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) resources.Env {
	t.Helper()
	return resources.Env{Client: interceptor.NewClient(realClient(t, objs), funcs), Scheme: scheme.Scheme, Owner: owner()}
}

// realClient returns a client of the test API server with objs created.
func realClient(t *testing.T, objs []client.Object) client.WithWatch {
	t.Helper()
	if cfg == nil {
		t.Skip("needs the control plane (not with -short)")
	}
	c, err := client.NewWithWatch(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { clean(t, c) })
	for _, o := range objs {
		o = o.DeepCopyObject().(client.Object)
		if err := c.Create(t.Context(), o); err != nil {
			t.Fatalf("create %s: %v", o.GetName(), err)
		}
	}
	return c
}

// clean deletes the objects the tests make in the namespace.
func clean(t *testing.T, c client.Client) {
	ctx := context.Background()
	for _, list := range []client.ObjectList{&corev1.ConfigMapList{}, &corev1.SecretList{}, &corev1.ServiceList{}, &appsv1.DeploymentList{}} {
		if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
			t.Errorf("clean: %v", err)
			return
		}
		_ = meta.EachListItem(list, func(o runtime.Object) error {
			obj := o.(client.Object)
			if obj.GetName() == "kube-root-ca.crt" {
				return nil
			}
			if err := c.Delete(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
				t.Errorf("clean: %v", err)
			}
			return nil
		})
	}
}

// patchCounter counts Patch requests.
func patchCounter(n *int) interceptor.Funcs {
	return interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, p client.Patch, opts ...client.PatchOption) error {
			*n++
			return c.Patch(ctx, obj, p, opts...)
		},
	}
}

func configMap(name string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Data: data}
}

// get reads obj back from the client.
func get[O client.Object](t *testing.T, env resources.Env, obj O) O {
	t.Helper()
	if err := env.Client.Get(t.Context(), client.ObjectKeyFromObject(obj), obj); err != nil {
		t.Fatalf("Get %s: %v", obj.GetName(), err)
	}
	return obj
}
