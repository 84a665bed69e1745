package engines_test

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/engines"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

// WidgetSteps are the steps of a Widget operator: the defaults, plus a check
// of the spec and the registration of a ConfigMap.
type WidgetSteps struct {
	engines.DefaultSteps[*testapi.Widget]
}

// CheckCR gives up on a Widget without a message: no retry can fix it.
func (WidgetSteps) CheckCR(_ context.Context, s *okt.Scope[*testapi.Widget]) error {
	if s.CR().Spec.Message == "" && !s.IsBeingDeleted() {
		s.GiveUp("MissingMessage", errors.New("spec.message is required"))
	}
	return nil
}

// GetObjects registers the ConfigMap of the Widget.
func (WidgetSteps) GetObjects(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
	w := s.CR()
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: w.Name + "-config", Namespace: w.Namespace}}
	return s.Register(ctx, resources.NewMutable(cm, func(cm *corev1.ConfigMap) error {
		cm.Data = map[string]string{"message": w.Spec.Message}
		return nil
	}))
}

// exampleScope returns the Scope of a reconcile of a Widget with message,
// read through a fake client.
func exampleScope(message string) *okt.Scope[*testapi.Widget] {
	sch := runtime.NewScheme()
	_ = corev1.AddToScheme(sch)
	_ = testapi.AddToScheme(sch)
	w := &testapi.Widget{
		ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "default", UID: "1"},
		Spec:       testapi.WidgetSpec{Message: message},
	}
	c := withApply(fake.NewClientBuilder().WithScheme(sch).WithObjects(w))
	return okt.NewScope(context.Background(), c, w)
}

func ExampleNewStepper() {
	stepper := engines.NewStepper[*testapi.Widget](WidgetSteps{})
	// In an operator: okt.New(mgr.GetClient(), stepper).SetupWithManager ...

	s := exampleScope("hello")
	stepper.Run(context.Background(), s)
	fmt.Println(s.Path())
	fmt.Println(s.Results().Summary())

	s = exampleScope("")
	stepper.Run(context.Background(), s)
	fmt.Println(s.Path())
	fmt.Println(s.Results().Err())
	// Output:
	// >CRChecker>ObjectsGetter>Mutator>Updater>SuccessManager>End
	// Created=1 Mutated=1 Registered=1
	// >CRChecker>GiveUp>End
	// gave up: MissingMessage: spec.message is required
}

func ExampleNewFreeStyle() {
	engine := engines.NewFreeStyle(
		func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
			if s.CR().Spec.Message == "" {
				return errors.New("no message yet")
			}
			return nil
		},
		engines.WithFinalize(func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
			return s.DeleteAllResources(ctx)
		}),
	)
	fmt.Println("finalizes:", engine.Finalizes())

	s := exampleScope("")
	engine.Run(context.Background(), s)
	fmt.Println(s.Results().Err())
	// Output:
	// finalizes: true
	// no message yet
}

func ExampleStepper_Mermaid() {
	stepper := engines.NewStepper[*testapi.Widget](WidgetSteps{})
	fmt.Print(stepper.Mermaid())
	// Output:
	// stateDiagram-v2
	//     [*] --> CRChecker
	//     CRChecker --> ErrorManager : 1. error
	//     CRChecker --> GiveUp : 2. give-up
	//     CRChecker --> CRFinalizer : 3. being deleted
	//     CRChecker --> ObjectsGetter : default
	//     ObjectsGetter --> ErrorManager : 1. error
	//     ObjectsGetter --> GiveUp : 2. give-up
	//     ObjectsGetter --> Mutator : default
	//     Mutator --> ErrorManager : 1. error
	//     Mutator --> GiveUp : 2. give-up
	//     Mutator --> Updater : default
	//     Updater --> ErrorManager : 1. error
	//     Updater --> GiveUp : 2. give-up
	//     Updater --> SuccessManager : default
	//     CRFinalizer --> ErrorManager : 1. error
	//     CRFinalizer --> GiveUp : 2. give-up
	//     CRFinalizer --> End : default
	//     SuccessManager --> ErrorManager : 1. error
	//     SuccessManager --> GiveUp : 2. give-up
	//     SuccessManager --> End : default
	//     ErrorManager --> GiveUp : 1. give-up
	//     ErrorManager --> End : default
	//     GiveUp --> End : default
	//     End --> [*]
}
