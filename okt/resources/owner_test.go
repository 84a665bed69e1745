package resources_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/okt-dev/okt/okt/resources"
)

// TestOwnerByLabel: an object a namespaced owner cannot reference (another
// namespace, cluster-scoped) carries okt's owner label and annotations
// instead; one in the owner's namespace, or of a cluster-scoped owner, gets
// the owner reference.
func TestOwnerByLabel(t *testing.T) {
	clusterOwner := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "owner", UID: "cluster-uid"}}
	tests := []struct {
		name    string
		res     resources.Resource
		owner   *metav1.ObjectMeta
		byLabel bool
	}{
		{"same namespace", resources.New(configMap("cfg", nil)), nil, false},
		{"other namespace", resources.New(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "other"}}), nil, true},
		{"cluster-scoped", resources.New(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "ns-owner-reader"}}), nil, true},
		{"without owner", resources.New(&rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "x"}}, resources.WithoutOwnerReference()), nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := resources.Env{Scheme: scheme.Scheme, Owner: owner()}
			lo := tc.res.(resources.OwnedByLabel)
			if got := lo.OwnedByLabel(env.Owner); got != tc.byLabel {
				t.Errorf("OwnedByLabel = %v, want %v", got, tc.byLabel)
			}
			if err := tc.res.Prepare(t.Context(), env); err != nil {
				t.Fatal(err)
			}
			d := tc.res.Desired()
			uid, name := resources.OwnerOf(d)
			switch {
			case tc.byLabel:
				if len(d.GetOwnerReferences()) != 0 {
					t.Errorf("owner references %v on an object tied by label", d.GetOwnerReferences())
				}
				want := map[string]string{
					resources.OwnerKindAnnotation: "ConfigMap", resources.OwnerNamespaceAnnotation: ns, resources.OwnerNameAnnotation: "owner",
				}
				if diff := cmp.Diff(want, d.GetAnnotations()); diff != "" {
					t.Errorf("annotations (-want +got):\n%s", diff)
				}
				if uid != ownerUID || name != "ConfigMap ns/owner" {
					t.Errorf("OwnerOf = %q, %q", uid, name)
				}
			case tc.name == "without owner":
				if uid != "" || len(d.GetLabels()) != 0 {
					t.Errorf("OwnerOf = %q, labels %v; want nothing", uid, d.GetLabels())
				}
			default:
				if uid != ownerUID || name != "ConfigMap owner" || d.GetLabels()[resources.OwnerUIDLabel] != "" {
					t.Errorf("OwnerOf = %q, %q, labels %v; want the owner reference only", uid, name, d.GetLabels())
				}
			}
			if lo.OwnedByLabel(clusterOwner) {
				t.Error("an object of a cluster-scoped owner is tied by label")
			}
		})
	}
}
