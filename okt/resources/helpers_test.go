package resources_test

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
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

// newEnv returns an Env over a fake client holding objs, owned by owner().
func newEnv(t *testing.T, objs ...client.Object) resources.Env {
	t.Helper()
	c := fake.NewClientBuilder().WithScheme(scheme.Scheme).WithObjects(objs...).Build()
	return resources.Env{Client: c, Scheme: scheme.Scheme, Owner: owner()}
}

// newEnvWith is newEnv with interceptors on the fake client.
func newEnvWith(t *testing.T, funcs interceptor.Funcs, objs ...client.Object) resources.Env {
	t.Helper()
	c := fake.NewClientBuilder().WithScheme(scheme.Scheme).WithObjects(objs...).WithInterceptorFuncs(funcs).Build()
	return resources.Env{Client: c, Scheme: scheme.Scheme, Owner: owner()}
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
