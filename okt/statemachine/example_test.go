package statemachine_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/okt-dev/okt/okt/statemachine"
)

// job is the data the example machine works on.
type job struct {
	attempts int
	err      error
}

func Example() {
	m := statemachine.New[*job]("Start")
	m.Add("Start", nil).Otherwise("Try")
	m.Add("Try", func(_ context.Context, j *job) error {
		j.attempts++
		if j.attempts < 3 {
			j.err = errors.New("not yet")
		} else {
			j.err = nil
		}
		return nil
	}).When("Wait", 1, "failed", func(j *job) bool { return j.err != nil }).
		Otherwise("Done")
	m.Add("Wait", nil).Otherwise("Try")
	m.Add("Done", nil)

	path, err := m.Run(context.Background(), &job{})
	fmt.Println(path, err)
	fmt.Println(path.Full())
	fmt.Print(m.Mermaid())
	// Output:
	// >Start>(Try>Wait)x2>Try>Done <nil>
	// >Start>Try>Wait>Try>Wait>Try>Done
	// stateDiagram-v2
	//     [*] --> Start
	//     Start --> Try : default
	//     Try --> Wait : 1. failed
	//     Try --> Done : default
	//     Wait --> Try : default
	//     Done --> [*]
}

func ExampleWithMaxTransitions() {
	m := statemachine.New[struct{}]("Ping", statemachine.WithMaxTransitions(5))
	m.Add("Ping", nil).Otherwise("Pong")
	m.Add("Pong", nil).Otherwise("Ping")

	path, err := m.Run(context.Background(), struct{}{})
	fmt.Println(path)
	fmt.Println(errors.Is(err, statemachine.ErrTooManyTransitions))
	// Output:
	// >(Ping>Pong)x3
	// true
}
