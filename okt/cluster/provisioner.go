package cluster

import (
	"context"
	"path"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const (
	// provisionerName is the provisioner of the default StorageClass, and
	// the label and annotation value that marks the volumes it made.
	provisionerName = "okt.orange.com/cluster"
	// provisionedLabel marks the PersistentVolumes the provisioner made.
	provisionedLabel = "okt.orange.com/provisioned-by"
	// provisionInterval is how often the provisioner looks for claims.
	provisionInterval = 250 * time.Millisecond
)

// provision plays volume provisioner until ctx ends: every pending claim
// that names no volume gets a hostPath PersistentVolume bound to it (never
// mounted: nothing runs in the Pods), and the volumes it made whose claim is
// gone are deleted. It polls: a cluster has few claims.
func provision(ctx context.Context, cs kubernetes.Interface) {
	ticker := time.NewTicker(provisionInterval)
	defer ticker.Stop()
	for {
		provisionOnce(ctx, cs)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// provisionOnce does one round of provision. Errors are retried at the next
// round.
func provisionOnce(ctx context.Context, cs kubernetes.Interface) {
	claims, err := cs.CoreV1().PersistentVolumeClaims(metav1.NamespaceAll).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
	if err != nil {
		return
	}
	for i := range claims.Items {
		claim := &claims.Items[i]
		if claim.Status.Phase != corev1.ClaimPending || claim.Spec.VolumeName != "" || claim.DeletionTimestamp != nil {
			continue
		}
		pv := volumeFor(claim)
		if _, err := cs.CoreV1().PersistentVolumes().Create(ctx, pv, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			continue
		}
	}
	volumes, err := cs.CoreV1().PersistentVolumes().List(ctx, metav1.ListOptions{LabelSelector: provisionedLabel + "=okt-cluster", ResourceVersion: "0"})
	if err != nil {
		return
	}
	for _, pv := range volumes.Items {
		if pv.Status.Phase == corev1.VolumeReleased || pv.Status.Phase == corev1.VolumeFailed {
			_ = cs.CoreV1().PersistentVolumes().Delete(ctx, pv.Name, metav1.DeleteOptions{})
		}
	}
}

// volumeFor returns the PersistentVolume for claim: named after its UID,
// pre-bound to it, with its access modes, class, volume mode and requested
// size (1Gi when it requests none).
func volumeFor(claim *corev1.PersistentVolumeClaim) *corev1.PersistentVolume {
	size, ok := claim.Spec.Resources.Requests[corev1.ResourceStorage]
	if !ok {
		size = resource.MustParse("1Gi")
	}
	modes := claim.Spec.AccessModes
	if len(modes) == 0 {
		modes = []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce}
	}
	class := ""
	if claim.Spec.StorageClassName != nil {
		class = *claim.Spec.StorageClassName
	}
	hostPathType := corev1.HostPathDirectoryOrCreate
	return &corev1.PersistentVolume{
		ObjectMeta: metav1.ObjectMeta{
			Name:        "pvc-" + string(claim.UID),
			Labels:      map[string]string{provisionedLabel: "okt-cluster"},
			Annotations: map[string]string{"pv.kubernetes.io/provisioned-by": provisionerName},
		},
		Spec: corev1.PersistentVolumeSpec{
			Capacity:    corev1.ResourceList{corev1.ResourceStorage: size},
			AccessModes: modes,
			ClaimRef: &corev1.ObjectReference{
				Kind:       "PersistentVolumeClaim",
				APIVersion: "v1",
				Namespace:  claim.Namespace,
				Name:       claim.Name,
				UID:        claim.UID,
			},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimDelete,
			StorageClassName:              class,
			VolumeMode:                    claim.Spec.VolumeMode,
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				// Never mounted: no kubelet. The path only has to be valid.
				HostPath: &corev1.HostPathVolumeSource{
					Path: path.Join("/okt-cluster/volumes", claim.Namespace, claim.Name),
					Type: &hostPathType,
				},
			},
		},
	}
}
