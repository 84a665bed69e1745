package results_test

import (
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/okt-dev/okt/okt/results"
)

func Example() {
	rs := results.New()
	rs.AddSuccess("CR", results.CRFetched)
	rs.AddSuccess("ConfigMap default/demo", results.Created)
	rs.AddSuccess("Deployment default/demo", results.Unchanged)
	rs.AddRequeue("Deployment default/demo", results.CreateDelayed, 30*time.Second)
	rs.AddRequeue("CR", results.Success, 10*time.Second)

	fmt.Println(rs.Summary())
	res, err := rs.Result()
	fmt.Println(res.RequeueAfter, err)
	// Output:
	// CRFetched=1 CreateDelayed=1 Created=1 Success=1 Unchanged=1
	// 10s <nil>
}

func ExampleResults_Result_error() {
	rs := results.New()
	rs.Add("Service default/demo", results.CRUDError, errors.New("cannot create Service default/demo: quota exceeded"), 0)
	rs.AddRequeue("CR", results.Success, time.Minute)

	// An error wins over requeues: controller-runtime backs off.
	res, err := rs.Result()
	fmt.Println(rs.HasError(), res.RequeueAfter, err)
	// Output:
	// true 0s cannot create Service default/demo: quota exceeded
}

func ExampleResults_Result_conflict() {
	rs := results.New()
	conflict := apierrors.NewConflict(schema.GroupResource{Resource: "configmaps"}, "demo", errors.New("stale"))
	rs.Add("ConfigMap default/demo", results.CRUDError, conflict, 0)

	// A conflict alone is retried quietly, without an error.
	res, err := rs.Result()
	fmt.Println(rs.OnlyConflicts(), res.RequeueAfter, err)
	// Output:
	// true 1s <nil>
}

func ExampleResults_AddGiveUp() {
	rs := results.New()
	rs.Add("CR", results.Failure, errors.New("transient"), 0)
	rs.AddGiveUp("CR", results.GaveUp, "InvalidSpec", errors.New("spec.size must be positive"))

	// A give-up overrides other errors and is terminal: no requeue, and its
	// error is wrapped as a reconcile.TerminalError so that it is not retried.
	res, err := rs.Result()
	fmt.Println(rs.GivenUp(), res.RequeueAfter)
	fmt.Println(err)
	fmt.Println(rs.Err())
	// Output:
	// true 0s
	// terminal error: gave up: InvalidSpec: spec.size must be positive
	// gave up: InvalidSpec: spec.size must be positive
}

func ExampleResults_AddGiveUpRetry() {
	rs := results.New()
	rs.AddGiveUpRetry("Service default/demo", results.CRUDError, "Invalid", errors.New("metadata.name: must be no more than 63 characters"), 20*time.Second)

	// Stalled, but looked at again after the delay, without an error: no
	// retry within milliseconds.
	res, err := rs.Result()
	fmt.Println(rs.GivenUp(), res.RequeueAfter, err)
	fmt.Println(rs.Err())

	// With a terminal give-up besides it, the reconcile is terminal.
	rs.AddGiveUp("CR", results.GaveUp, "InvalidSpec", nil)
	res, err = rs.Result()
	fmt.Println(res.RequeueAfter, err)
	// Output:
	// true 20s <nil>
	// gave up: Invalid: metadata.name: must be no more than 63 characters
	// 0s terminal error: gave up: Invalid: metadata.name: must be no more than 63 characters
}

func ExampleNewGiveUpError() {
	cause := errors.New("no such storage class")
	g := results.NewGiveUpError("MissingStorageClass", cause)
	fmt.Println(g)

	// A give-up of a give-up does not nest: the cause is kept, once.
	again := results.NewGiveUpError("", fmt.Errorf("provisioning: %w", g))
	fmt.Println(again)
	fmt.Println(results.IsGiveUp(again), errors.Is(again, cause))

	// Neither a reason nor a cause is needed.
	fmt.Println(results.NewGiveUpError("", nil))
	// Output:
	// gave up: MissingStorageClass: no such storage class
	// gave up: MissingStorageClass: no such storage class
	// true true
	// gave up
}

func ExampleResults_String() {
	rs := results.New()
	rs.AddSuccess("CR", results.CRFetched)
	rs.Add("Secret default/demo", results.RegistrationError, errors.New("already registered"), 0)
	rs.AddRequeue("StatefulSet default/demo", results.CreateDelayed, 4*time.Second)
	fmt.Println(rs)
	// Output:
	// CRFetched CR
	// RegistrationError Secret default/demo: already registered
	// CreateDelayed StatefulSet default/demo (requeue after 4s)
	// CRFetched=1 CreateDelayed=1 RegistrationError=1
}
