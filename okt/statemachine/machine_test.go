package statemachine_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/okt-dev/okt/okt/statemachine"
)

// counter is the data of the test machines.
type counter struct {
	n       int
	visited []statemachine.State
}

func (c *counter) enter(s statemachine.State) statemachine.Action[*counter] {
	return func(context.Context, *counter) error {
		c.visited = append(c.visited, s)
		return nil
	}
}

func always(*counter) bool { return true }
func never(*counter) bool  { return false }

func TestRunTakesHighestPriorityGuardThatHolds(t *testing.T) {
	m := statemachine.New[*counter]("A")
	m.Add("A", nil).
		When("Low", 1, "low", always).
		When("Never", 9, "never", never).
		When("High", 5, "high", always).
		Otherwise("Default")
	for _, s := range []statemachine.State{"Low", "Never", "High", "Default"} {
		m.Add(s, nil)
	}
	path, err := m.Run(context.Background(), &counter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := path.String(), ">A>High"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestRunEqualPrioritiesKeepDeclarationOrder(t *testing.T) {
	m := statemachine.New[*counter]("A")
	m.Add("A", nil).When("First", 1, "", always).When("Second", 1, "", always)
	m.Add("First", nil)
	m.Add("Second", nil)
	path, err := m.Run(context.Background(), &counter{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := path.String(), ">A>First"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestRunDefaultChildAndEnd(t *testing.T) {
	c := &counter{}
	m := statemachine.New[*counter]("A")
	m.Add("A", c.enter("A")).When("X", 1, "never", never).Otherwise("B")
	m.Add("B", c.enter("B")).Otherwise("End")
	m.Add("X", c.enter("X"))
	m.Add("End", nil)
	path, err := m.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := path.String(), ">A>B>End"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got, want := path.Last(), statemachine.State("End"); got != want {
		t.Errorf("last = %q, want %q", got, want)
	}
	if got := len(c.visited); got != 2 {
		t.Errorf("actions run = %v, want A and B", c.visited)
	}
}

func TestRunGuardsSeeTheAction(t *testing.T) {
	m := statemachine.New[*counter]("Count")
	m.Add("Count", func(_ context.Context, c *counter) error { c.n++; return nil }).
		When("Count", 1, "below 3", func(c *counter) bool { return c.n < 3 }).
		Otherwise("Done")
	m.Add("Done", nil)
	c := &counter{}
	path, err := m.Run(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := path.String(), ">(Count)x3>Done"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
	if got, want := path.Full(), ">Count>Count>Count>Done"; got != want {
		t.Errorf("full path = %q, want %q", got, want)
	}
}

func TestRunActionError(t *testing.T) {
	boom := errors.New("boom")
	m := statemachine.New[*counter]("A")
	m.Add("A", nil).Otherwise("B")
	m.Add("B", func(context.Context, *counter) error { return boom }).Otherwise("C")
	m.Add("C", nil)
	path, err := m.Run(context.Background(), &counter{})
	var se *statemachine.StateError
	if !errors.As(err, &se) || se.State != "B" || !errors.Is(err, boom) {
		t.Fatalf("err = %v, want a StateError of B wrapping boom", err)
	}
	if got, want := err.Error(), "state B: boom"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if got, want := path.String(), ">A>B"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestRunLoopBreaker(t *testing.T) {
	m := statemachine.New[*counter]("Ping", statemachine.WithMaxTransitions(6))
	m.Add("Ping", nil).Otherwise("Pong")
	m.Add("Pong", nil).Otherwise("Ping")
	path, err := m.Run(context.Background(), &counter{})
	if !errors.Is(err, statemachine.ErrTooManyTransitions) {
		t.Fatalf("err = %v, want ErrTooManyTransitions", err)
	}
	if !strings.Contains(err.Error(), "more than 6") {
		t.Errorf("message = %q, want the limit", err)
	}
	// 6 transitions taken: 7 states visited.
	if got, want := path.String(), ">(Ping>Pong)x3>Ping"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestRunDefaultLoopBreaker(t *testing.T) {
	m := statemachine.New[*counter]("Spin", statemachine.WithMaxTransitions(-1))
	m.Add("Spin", nil).Otherwise("Spin")
	path, err := m.Run(context.Background(), &counter{})
	if !errors.Is(err, statemachine.ErrTooManyTransitions) {
		t.Fatalf("err = %v, want ErrTooManyTransitions", err)
	}
	if got, want := len(path), statemachine.DefaultMaxTransitions+1; got != want {
		t.Errorf("len(path) = %d, want %d", got, want)
	}
	if got, want := path.String(), ">(Spin)x1001"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestValidate(t *testing.T) {
	m := statemachine.New[*counter]("Missing")
	m.Add("A", nil).When("Nowhere", 1, "", always).Otherwise("Elsewhere")
	err := m.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want errors")
	}
	for _, want := range []string{`start state "Missing"`, `"Nowhere"`, `"Elsewhere"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %q, want it to mention %s", err, want)
		}
	}
	if _, err := m.Run(context.Background(), &counter{}); err == nil {
		t.Error("Run of an invalid machine succeeded")
	}
}

func TestAddPanics(t *testing.T) {
	for name, fn := range map[string]func(m *statemachine.Machine[*counter]){
		"empty":     func(m *statemachine.Machine[*counter]) { m.Add("", nil) },
		"duplicate": func(m *statemachine.Machine[*counter]) { m.Add("A", nil); m.Add("A", nil) },
		"nil guard": func(m *statemachine.Machine[*counter]) { m.Add("A", nil).When("A", 1, "", nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			fn(statemachine.New[*counter]("A"))
		})
	}
}

func TestIntrospection(t *testing.T) {
	m := statemachine.New[*counter]("A")
	m.Add("A", nil).When("B", 1, "low", always).When("C", 2, "high", always).Otherwise("D")
	m.Add("B", nil)
	m.Add("C", nil)
	m.Add("D", nil)
	if got := m.Start(); got != "A" {
		t.Errorf("Start() = %q", got)
	}
	if got, want := len(m.States()), 4; got != want {
		t.Errorf("States() = %v", m.States())
	}
	want := []statemachine.Transition{
		{From: "A", To: "C", Priority: 2, Label: "high"},
		{From: "A", To: "B", Priority: 1, Label: "low"},
		{From: "A", To: "D", Default: true},
	}
	got := m.Transitions("A")
	if len(got) != len(want) {
		t.Fatalf("Transitions(A) = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Transitions(A)[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if m.Transitions("B") != nil || m.Transitions("nope") != nil {
		t.Error("a leaf or an unknown state has transitions")
	}
}

// TestConcurrentRuns runs one machine from many goroutines (run with -race).
func TestConcurrentRuns(t *testing.T) {
	m := statemachine.New[*counter]("Count")
	m.Add("Count", func(_ context.Context, c *counter) error { c.n++; return nil }).
		When("Count", 1, "below 10", func(c *counter) bool { return c.n < 10 }).
		Otherwise("Done")
	m.Add("Done", nil)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path, err := m.Run(context.Background(), &counter{})
			if err != nil || path.String() != ">(Count)x10>Done" {
				t.Errorf("path = %q, err = %v", path, err)
			}
		}()
	}
	wg.Wait()
}
