package controller

import (
	"context"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/resources"

	cachev1alpha1 "example.com/project-v3/api/v1alpha1"
)

var _ = Describe("Memcached Controller", func() {
	Context("When reconciling a resource", func() {
		const resourceName = "test-resource"

		ctx := context.Background()

		typeNamespacedName := types.NamespacedName{
			Name:      resourceName,
			Namespace: "default", // TODO(user): Modify as needed
		}

		BeforeEach(func() {
			By("creating the custom resource for the Kind Memcached")
			err := k8sClient.Get(ctx, typeNamespacedName, &cachev1alpha1.Memcached{})
			if err != nil && errors.IsNotFound(err) {
				resource := &cachev1alpha1.Memcached{
					ObjectMeta: metav1.ObjectMeta{
						Name:      resourceName,
						Namespace: "default",
					},
					// TODO(user): Specify other spec details if needed.
				}
				Expect(k8sClient.Create(ctx, resource)).To(Succeed())
			}
		})

		AfterEach(func() {
			resource := &cachev1alpha1.Memcached{}
			err := k8sClient.Get(ctx, typeNamespacedName, resource)
			Expect(err).NotTo(HaveOccurred())

			By("Cleanup the specific resource instance Memcached")
			Expect(k8sClient.Delete(ctx, resource)).To(Succeed())

			By("Reconciling the deletion, which runs the finalization if any")
			controllerReconciler := &MemcachedReconciler{
				Client: k8sClient,
				Scheme: k8sClient.Scheme(),
			}
			Eventually(func(g Gomega) {
				_, err := controllerReconciler.Reconcile(ctx, reconcile.Request{NamespacedName: typeNamespacedName})
				g.Expect(err).NotTo(HaveOccurred())
				err = k8sClient.Get(ctx, typeNamespacedName, &cachev1alpha1.Memcached{})
				g.Expect(errors.IsNotFound(err)).To(BeTrue())
			}).Should(Succeed())
		})

		It("should reconcile the resource and report its readiness", func() {
			By("Reconciling the created resource")
			controllerReconciler := &MemcachedReconciler{
				Client: k8sClient,
				Scheme: k8sClient.Scheme(),
			}

			Eventually(func(g Gomega) {
				_, err := controllerReconciler.Reconcile(ctx, reconcile.Request{
					NamespacedName: typeNamespacedName,
				})
				g.Expect(err).NotTo(HaveOccurred())

				cr := &cachev1alpha1.Memcached{}
				g.Expect(k8sClient.Get(ctx, typeNamespacedName, cr)).To(Succeed())
				// envtest runs no controllers, so workloads (Deployments,
				// StatefulSets, Jobs...) never roll out here: Ready stays
				// False/Progressing, naming what it waits for. On a cluster
				// that runs workloads (make test-e2e-local) it turns True.
				ready := meta.FindStatusCondition(cr.Status.Conditions, okt.ConditionReady)
				g.Expect(ready).NotTo(BeNil(), "conditions: %v", cr.Status.Conditions)
				g.Expect(ready.Status == metav1.ConditionTrue || ready.Reason == okt.ReasonProgressing).To(BeTrue(),
					"Ready: %+v", ready)
			}).Should(Succeed())

			By("Checking that every resource the Memcached owns exists, or waits for those it depends on")
			cr := &cachev1alpha1.Memcached{}
			Expect(k8sClient.Get(ctx, typeNamespacedName, cr)).To(Succeed())
			ready := meta.FindStatusCondition(cr.Status.Conditions, okt.ConditionReady)
			Expect(ready).NotTo(BeNil())
			for _, build := range memcachedBuilders() {
				res, err := build(cr)
				Expect(err).NotTo(HaveOccurred())
				if res == nil {
					continue // not wanted for this Memcached
				}
				Expect(res.Fetch(ctx, resources.Env{Client: k8sClient})).To(Succeed())
				if d, ok := res.(resources.Dependent); ok && len(d.DependsOn()) > 0 && !res.Exists() {
					// okt writes it once what it depends on is ready
					// (resources.DependsOn), which a workload never is here:
					// Ready names what it waits for.
					Expect(ready.Message).To(ContainSubstring("%s %s: waiting for", res.Key().Kind, res.Key().Name))
					continue
				}
				Expect(res.Exists()).To(BeTrue(), "%s was not created", res.Key())
			}
			// TODO(user): Add assertions on what the resources contain.
		})
	})
})
