package e2elocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
)

// oktKinds are the kinds whose controller is built on okt: `okt create api`
// adds each one it scaffolds at the marker. Their samples in config/samples
// are applied and must become Ready. Samples of other kinds (a go/v4
// controller sets no Ready condition) are not applied: add a kind here once
// its controller reports Ready.
var oktKinds = []schema.GroupVersionKind{
	{Group: "cache.example.com", Version: "v1alpha1", Kind: "Memcached"},
	{Group: "cache.example.com", Version: "v1alpha1", Kind: "Backup"},
	{Group: "cache.example.com", Version: "v1alpha1", Kind: "Datastore"},
	// +okt:scaffold:e2e-local-kinds
}

const (
	// sampleNamespace is the namespace of the samples that name none.
	sampleNamespace = "default"
	// readyTimeout bounds the wait for each sample to be Ready, and then for
	// its Pods to be Running.
	readyTimeout = 2 * time.Minute
)

var _ = Describe("Manager on the local cluster", func() {
	It("should bring every sample to Ready, with the Pods of its workloads Running", func(ctx SpecContext) {
		samples, err := readSamples(filepath.Join(projectDir, "config", "samples"))
		Expect(err).NotTo(HaveOccurred())

		var applied []*unstructured.Unstructured
		for _, sample := range samples {
			gvk := sample.GroupVersionKind()
			if !slices.Contains(oktKinds, gvk) {
				By(fmt.Sprintf("skipping the sample %s %s: %s is not an okt kind", gvk.Kind, sample.GetName(), gvk))
				continue
			}
			namespaced, err := k8sClient.IsObjectNamespaced(sample)
			Expect(err).NotTo(HaveOccurred())
			if namespaced && sample.GetNamespace() == "" {
				sample.SetNamespace(sampleNamespace)
			}
			By(fmt.Sprintf("applying the sample %s %s", gvk.Kind, client.ObjectKeyFromObject(sample)))
			Expect(k8sClient.Create(ctx, sample)).To(Succeed())
			applied = append(applied, sample)
		}
		Expect(applied).NotTo(BeEmpty(), "config/samples has no sample of the okt kinds %v", oktKinds)

		for _, sample := range applied {
			key, kind := client.ObjectKeyFromObject(sample), sample.GetKind()
			By(fmt.Sprintf("waiting for the %s %s to be Ready", kind, key))
			Eventually(func(g Gomega) {
				g.Expect(manager.exited()).To(Succeed())
				g.Expect(testCluster.Err()).To(Succeed())
				g.Expect(k8sClient.Get(ctx, key, sample)).To(Succeed())
				ready := readyCondition(g, sample)
				g.Expect(ready).NotTo(BeNil(), "%s %s has no Ready condition yet", kind, key)
				g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready is %s: %s: %s", ready.Status, ready.Reason, ready.Message)
				g.Expect(ready.ObservedGeneration).To(Equal(sample.GetGeneration()), "Ready is about an older generation")
			}).WithContext(ctx).WithTimeout(readyTimeout).WithPolling(time.Second).Should(Succeed())

			By(fmt.Sprintf("checking that the Pods of the %s's Deployments and StatefulSets are Running", kind))
			var report []string
			Eventually(func(g Gomega) {
				report = nil
				for _, w := range ownedWorkloads(ctx, g, sample) {
					pods := &corev1.PodList{}
					g.Expect(k8sClient.List(ctx, pods, client.InNamespace(sample.GetNamespace()),
						client.MatchingLabelsSelector{Selector: w.selector})).To(Succeed())
					var running []string
					for _, pod := range pods.Items {
						if pod.DeletionTimestamp != nil {
							continue
						}
						g.Expect(pod.Status.Phase).To(Equal(corev1.PodRunning), "the Pod %s of the %s", pod.Name, w.name)
						running = append(running, pod.Name)
					}
					g.Expect(running).To(HaveLen(int(w.replicas)), "the Pods of the %s", w.name)
					report = append(report, fmt.Sprintf("%s: Pods %v Running", w.name, running))
				}
			}).WithContext(ctx).WithTimeout(readyTimeout).WithPolling(time.Second).Should(Succeed())
			for _, line := range report {
				_, _ = fmt.Fprintln(GinkgoWriter, line)
			}
		}
	})
})

// readSamples returns the objects of the YAML files in dir but its
// kustomization.yaml, in the order of their file names.
func readSamples(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var samples []*unstructured.Unstructured
	for _, file := range files {
		if filepath.Base(file) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			obj := &unstructured.Unstructured{}
			if err := decoder.Decode(&obj.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if len(obj.Object) == 0 {
				continue // an empty document
			}
			if obj.GetAPIVersion() == "" || obj.GetKind() == "" {
				return nil, fmt.Errorf("%s: an object without apiVersion or kind", file)
			}
			// go/v4 writes "spec:" with only a comment under it (null), and
			// since kubebuilder v4.16 the spec is required: send it empty.
			if spec, ok := obj.Object["spec"]; ok && spec == nil {
				obj.Object["spec"] = map[string]any{}
			}
			samples = append(samples, obj)
		}
	}
	return samples, nil
}

// readyCondition returns the Ready condition in the object's status, or nil.
func readyCondition(g Gomega, obj *unstructured.Unstructured) *metav1.Condition {
	raw, _, err := unstructured.NestedSlice(obj.Object, "status", "conditions")
	g.Expect(err).NotTo(HaveOccurred())
	var conditions []metav1.Condition
	for _, item := range raw {
		fields, ok := item.(map[string]any)
		if !ok {
			continue
		}
		var condition metav1.Condition
		g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(fields, &condition)).To(Succeed())
		conditions = append(conditions, condition)
	}
	return meta.FindStatusCondition(conditions, okt.ConditionReady)
}

// workload is a Deployment or StatefulSet: its Pods and how many it wants.
type workload struct {
	name     string
	selector labels.Selector
	replicas int32
}

// ownedWorkloads returns the Deployments and StatefulSets the object
// controls.
func ownedWorkloads(ctx context.Context, g Gomega, owner *unstructured.Unstructured) []workload {
	var out []workload
	add := func(obj metav1.Object, kind string, selector *metav1.LabelSelector, replicas *int32) {
		if !metav1.IsControlledBy(obj, owner) {
			return
		}
		s, err := metav1.LabelSelectorAsSelector(selector)
		g.Expect(err).NotTo(HaveOccurred())
		n := int32(1)
		if replicas != nil {
			n = *replicas
		}
		out = append(out, workload{name: kind + " " + obj.GetName(), selector: s, replicas: n})
	}
	deployments := &appsv1.DeploymentList{}
	g.Expect(k8sClient.List(ctx, deployments, client.InNamespace(owner.GetNamespace()))).To(Succeed())
	for i := range deployments.Items {
		d := &deployments.Items[i]
		add(d, "Deployment", d.Spec.Selector, d.Spec.Replicas)
	}
	statefulSets := &appsv1.StatefulSetList{}
	g.Expect(k8sClient.List(ctx, statefulSets, client.InNamespace(owner.GetNamespace()))).To(Succeed())
	for i := range statefulSets.Items {
		s := &statefulSets.Items[i]
		add(s, "StatefulSet", s.Spec.Selector, s.Spec.Replicas)
	}
	return out
}
