package okt

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt/resources"
)

// EnqueueOwner returns the event handler that maps an owned object to the
// custom resource of type T that owns it, for the watch of a kind whose
// objects okt ties to their owner by label: cluster-scoped ones (a
// ClusterRole, a Namespace), or objects in another namespace than their
// custom resource. It reads okt's owner annotations
// (resources.OwnerKindAnnotation...); objects tied by an owner reference
// are watched with the builder's Owns, as usual:
//
//	ctrl.NewControllerManagedBy(mgr).
//		For(&cachev1alpha1.Memcached{}).
//		Watches(&rbacv1.ClusterRole{}, okt.EnqueueOwner[*cachev1alpha1.Memcached](mgr.GetScheme())).
//		Complete(r)
//
// scheme must know T; if it does not, the handler maps nothing.
func EnqueueOwner[T client.Object](scheme *runtime.Scheme) handler.EventHandler {
	gvk, err := apiutil.GVKForObject(newObject[T](), scheme)
	kind := gvk.Kind
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return handler.EnqueueRequestsFromMapFunc(func(_ context.Context, obj client.Object) []reconcile.Request {
		if err != nil {
			return nil
		}
		a := obj.GetAnnotations()
		if obj.GetLabels()[resources.OwnerUIDLabel] == "" || a[resources.OwnerKindAnnotation] != kind || a[resources.OwnerNameAnnotation] == "" {
			return nil
		}
		return []reconcile.Request{{NamespacedName: types.NamespacedName{
			Namespace: a[resources.OwnerNamespaceAnnotation], Name: a[resources.OwnerNameAnnotation]}}}
	})
}
