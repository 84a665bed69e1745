package scaffolds

import (
	"path/filepath"

	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
)

// LibraryModule is the Go module of the okt library that scaffolded code
// imports.
const LibraryModule = "github.com/okt-dev/okt"

// MarkerPrefix prefixes the okt insertion markers: "// +okt:scaffold:<name>".
const MarkerPrefix = "okt:scaffold"

// Names of the insertion markers of a scaffolded controller.
const (
	MarkerImports   = "imports"
	MarkerResources = "resources"
	MarkerOwns      = "owns"
	MarkerRBAC      = "rbac"
)

// ControllerPath returns the path of the controller of res, as go/v4 lays
// it out.
func ControllerPath(multiGroup bool, res resource.Resource) string {
	return filepath.Join(controllerDir(multiGroup, res), res.Replacer().Replace("%[kind]_controller.go"))
}

// ControllerTestPath returns the path of the controller test of res.
func ControllerTestPath(multiGroup bool, res resource.Resource) string {
	return filepath.Join(controllerDir(multiGroup, res), res.Replacer().Replace("%[kind]_controller_test.go"))
}

// TypesPath returns the path of the API types of res.
func TypesPath(multiGroup bool, res resource.Resource) string {
	if multiGroup && res.Group != "" {
		return filepath.Join("api", res.Group, res.Version, res.Replacer().Replace("%[kind]_types.go"))
	}
	return filepath.Join("api", res.Version, res.Replacer().Replace("%[kind]_types.go"))
}

func controllerDir(multiGroup bool, res resource.Resource) string {
	if multiGroup && res.Group != "" {
		return filepath.Join("internal", "controller", res.Group)
	}
	return filepath.Join("internal", "controller")
}

func controllerPackage(multiGroup bool, res resource.Resource) string {
	if multiGroup && res.Group != "" {
		return res.PackageName()
	}
	return "controller"
}

// Controller is the okt controller of a resource. It replaces the one go/v4
// writes, keeping its type name, fields and SetupWithManager.
type Controller struct {
	machinery.TemplateMixin
	machinery.MultiGroupMixin
	machinery.BoilerplateMixin
	machinery.ResourceMixin

	// Package is the Go package name; set by SetTemplateDefaults.
	Package string
	// Lifecycle makes OnSuccess drive the kind's lifecycle skeleton.
	Lifecycle bool
}

var _ machinery.Template = &Controller{}

// SetTemplateDefaults implements machinery.Template.
func (f *Controller) SetTemplateDefaults() error {
	if f.Path == "" {
		f.Path = ControllerPath(f.MultiGroup, *f.Resource)
	}
	f.Package = controllerPackage(f.MultiGroup, *f.Resource)
	f.TemplateBody = controllerTemplate
	f.IfExistsAction = machinery.OverwriteFile
	return nil
}

const controllerTemplate = `{{ .Boilerplate }}

package {{ .Package }}

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/record"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	// +okt:scaffold:imports

	{{ .Resource.ImportAlias }} "{{ .Resource.Path }}"
)

// {{ .Resource.Kind }}Reconciler reconciles a {{ .Resource.Kind }} object with the okt
// library: each reconcile runs the Stepper engine over {{ lower .Resource.Kind }}Steps.
type {{ .Resource.Kind }}Reconciler struct {
	client.Client
	Scheme *runtime.Scheme
	// Recorder records an Event on the {{ .Resource.Kind }} for each change okt makes;
	// SetupWithManager sets it from the manager when it is nil.
	Recorder record.EventRecorder
}

// +kubebuilder:rbac:groups={{ .Resource.QualifiedGroup }},resources={{ .Resource.Plural }},verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups={{ .Resource.QualifiedGroup }},resources={{ .Resource.Plural }}/status,verbs=get;update;patch
// +kubebuilder:rbac:groups={{ .Resource.QualifiedGroup }},resources={{ .Resource.Plural }}/finalizers,verbs=update
// +kubebuilder:rbac:groups=core,resources=events,verbs=create;patch
// +okt:scaffold:rbac

// Reconcile reads the {{ .Resource.Kind }}, runs the okt Stepper engine on it, and writes
// its status (the Ready condition) and finalizer. Put your code in the
// steps below, not here.
func (r *{{ .Resource.Kind }}Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	return r.oktReconciler().Reconcile(ctx, req)
}

// oktReconciler returns the okt Reconciler. It keeps no per-reconcile state, so one
// per call is as good as a shared one.
func (r *{{ .Resource.Kind }}Reconciler) oktReconciler() *okt.Reconciler[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}] {
	engine := engines.NewStepper[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]({{ lower .Resource.Kind }}Steps{})
	// USER CODE (options): add okt options here, for example
	// okt.WithMaxCreations(5) or okt.WithResync(10*time.Minute).
	return okt.New[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}](r.Client, engine, okt.WithEventRecorder(r.Recorder))
}

// {{ lower .Resource.Kind }}Steps is the code the Stepper engine runs in each state.
// Every method is optional: a deleted method falls back to
// engines.DefaultSteps. Return an error to go to OnError (retried with
// backoff); call s.GiveUp for an error no retry can fix.
type {{ lower .Resource.Kind }}Steps struct {
	engines.DefaultSteps[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]
}

// CheckCR runs first: check s.CR() (its spec's semantics) here.
func (st {{ lower .Resource.Kind }}Steps) CheckCR(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (CRChecker): validate s.CR().Spec.
	return st.DefaultSteps.CheckCR(ctx, s)
}

// {{ lower .Resource.Kind }}Builders returns the builders of the resources a {{ .Resource.Kind }}
// owns. ` + "`okt create resource`" + ` adds them at the marker.
func {{ lower .Resource.Kind }}Builders() []okt.Builder[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}] {
	return []okt.Builder[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]{
		// +okt:scaffold:resources
	}
}

// GetObjects registers the resources the {{ .Resource.Kind }} owns.
func (st {{ lower .Resource.Kind }}Steps) GetObjects(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (ObjectsGetter): register resources built by hand with s.Register.
	return s.RegisterBuilders(ctx, {{ lower .Resource.Kind }}Builders()...)
}

// Mutate computes the desired state of every registered resource.
func (st {{ lower .Resource.Kind }}Steps) Mutate(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (Mutator): code to run before or after the mutations.
	return st.DefaultSteps.Mutate(ctx, s)
}

// Update creates the missing resources and updates the changed ones.
func (st {{ lower .Resource.Kind }}Steps) Update(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (Updater): code to run before or after the writes.
	return st.DefaultSteps.Update(ctx, s)
}

// OnSuccess runs after a successful Update, before Ready is set to True.
func (st {{ lower .Resource.Kind }}Steps) OnSuccess(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (SuccessManager): fill s.CR().Status here.
{{- if .Lifecycle }}
	// The application's lifecycle ({{ lower .Resource.Kind }}_lifecycle.go), from the objects'
	// readiness and its health check.
	if err := drive{{ .Resource.Kind }}Lifecycle(ctx, s); err != nil {
		return err
	}
{{- end }}
	return st.DefaultSteps.OnSuccess(ctx, s)
}

// OnError runs after a failure, before Ready is set to False.
func (st {{ lower .Resource.Kind }}Steps) OnError(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error {
	// USER CODE (ErrorManager): react to the failure in s.Results().
	return st.DefaultSteps.OnError(ctx, s)
}

// USER CODE (CRFinalizer): to clean up when a {{ .Resource.Kind }} is deleted, add
//
//	func (st {{ lower .Resource.Kind }}Steps) Finalize(ctx context.Context, s *okt.Scope[*{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}]) error
//
// okt then adds a finalizer and removes it once Finalize succeeded.

// SetupWithManager sets up the controller with the Manager.
func (r *{{ .Resource.Kind }}Reconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.Recorder == nil {
		r.Recorder = mgr.GetEventRecorderFor("{{ lower .Resource.Kind }}-controller")
	}
	return ctrl.NewControllerManagedBy(mgr).
		For(&{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{}).
		// okt's reconciles share no state: several run at once, so that a slow
		// answer of the API server holds one {{ .Resource.Kind }}, not all of them (with one
		// worker, 0 of 100 custom resources got Ready in a minute of faults that
		// 8 workers rode out in 25 s: okt/internal/reliability's TestFaults).
		WithOptions(controller.Options{MaxConcurrentReconciles: 8}).
		// +okt:scaffold:owns
		{{- if and .MultiGroup .Resource.Group }}
		Named("{{ lower .Resource.Group }}-{{ lower .Resource.Kind }}").
		{{- else }}
		Named("{{ lower .Resource.Kind }}").
		{{- end }}
		Complete(r)
}
`

// ControllerTest is the envtest test of an okt controller: it reconciles a
// sample custom resource and expects its Ready condition to be True.
type ControllerTest struct {
	machinery.TemplateMixin
	machinery.MultiGroupMixin
	machinery.BoilerplateMixin
	machinery.ResourceMixin

	// Package is the Go package name; set by SetTemplateDefaults.
	Package string
}

var _ machinery.Template = &ControllerTest{}

// SetTemplateDefaults implements machinery.Template.
func (f *ControllerTest) SetTemplateDefaults() error {
	if f.Path == "" {
		f.Path = ControllerTestPath(f.MultiGroup, *f.Resource)
	}
	f.Package = controllerPackage(f.MultiGroup, *f.Resource)
	f.TemplateBody = controllerTestTemplate
	f.IfExistsAction = machinery.OverwriteFile
	return nil
}

const controllerTestTemplate = `{{ .Boilerplate }}

package {{ .Package }}

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

	{{ .Resource.ImportAlias }} "{{ .Resource.Path }}"
)

var _ = Describe("{{ .Resource.Kind }} Controller", func() {
	Context("When reconciling a resource", func() {
		const resourceName = "test-resource"

		ctx := context.Background()

		typeNamespacedName := types.NamespacedName{
			Name:      resourceName,
			Namespace: "default", // TODO(user): Modify as needed
		}

		BeforeEach(func() {
			By("creating the custom resource for the Kind {{ .Resource.Kind }}")
			err := k8sClient.Get(ctx, typeNamespacedName, &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{})
			if err != nil && errors.IsNotFound(err) {
				resource := &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{
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
			resource := &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{}
			err := k8sClient.Get(ctx, typeNamespacedName, resource)
			Expect(err).NotTo(HaveOccurred())

			By("Cleanup the specific resource instance {{ .Resource.Kind }}")
			Expect(k8sClient.Delete(ctx, resource)).To(Succeed())

			By("Reconciling the deletion, which runs the finalization if any")
			controllerReconciler := &{{ .Resource.Kind }}Reconciler{
				Client: k8sClient,
				Scheme: k8sClient.Scheme(),
			}
			Eventually(func(g Gomega) {
				_, err := controllerReconciler.Reconcile(ctx, reconcile.Request{NamespacedName: typeNamespacedName})
				g.Expect(err).NotTo(HaveOccurred())
				err = k8sClient.Get(ctx, typeNamespacedName, &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{})
				g.Expect(errors.IsNotFound(err)).To(BeTrue())
			}).Should(Succeed())
		})

		It("should reconcile the resource and report its readiness", func() {
			By("Reconciling the created resource")
			controllerReconciler := &{{ .Resource.Kind }}Reconciler{
				Client: k8sClient,
				Scheme: k8sClient.Scheme(),
			}

			Eventually(func(g Gomega) {
				_, err := controllerReconciler.Reconcile(ctx, reconcile.Request{
					NamespacedName: typeNamespacedName,
				})
				g.Expect(err).NotTo(HaveOccurred())

				cr := &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{}
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

			By("Checking that every resource the {{ .Resource.Kind }} owns exists, or waits for those it depends on")
			cr := &{{ .Resource.ImportAlias }}.{{ .Resource.Kind }}{}
			Expect(k8sClient.Get(ctx, typeNamespacedName, cr)).To(Succeed())
			ready := meta.FindStatusCondition(cr.Status.Conditions, okt.ConditionReady)
			Expect(ready).NotTo(BeNil())
			for _, build := range {{ lower .Resource.Kind }}Builders() {
				res, err := build(cr)
				Expect(err).NotTo(HaveOccurred())
				if res == nil {
					continue // not wanted for this {{ .Resource.Kind }}
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
`
