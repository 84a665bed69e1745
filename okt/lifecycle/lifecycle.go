package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt/statemachine"
)

// State is a state of the managed application.
type State string

// Event names a transition: what happened ("WorkloadReady",
// "HealthCheckFailed").
type Event string

// Action is a state's entry action, run once when the application enters the
// state. An error stops the step: the transition is recorded, and the action
// is not run again (make it idempotent and retry it from a waiting state if
// it must succeed).
type Action[D any] func(ctx context.Context, d D) error

// Guard decides whether a transition is taken. It must be a pure function of
// d: Step evaluates it any number of times.
type Guard[D any] func(d D) bool

// DefaultHistory is how many transitions a Status keeps when WithHistory is
// not given.
const DefaultHistory = 10

// maxSteps bounds the transitions of one Step.
const maxSteps = 16

// Option configures a Machine.
type Option func(*settings)

type settings struct{ history int }

// WithHistory sets how many transitions a Status keeps, newest last.
// Defaults to DefaultHistory.
func WithHistory(n int) Option { return func(s *settings) { s.history = n } }

// Machine is the lifecycle of an application whose data is D. Build it with
// New and State, then Step (or Drive) it at each reconcile. A Machine must not
// be modified once in use; it may be used concurrently.
type Machine[D any] struct {
	sm       *statemachine.Machine[D]
	initial  State
	waits    map[State]time.Duration
	settings settings
}

// New returns a Machine whose applications start in initial, which must be
// declared with State.
func New[D any](initial State, opts ...Option) *Machine[D] {
	m := &Machine[D]{sm: statemachine.New[D](statemachine.State(initial)), initial: initial, waits: map[State]time.Duration{}}
	for _, o := range opts {
		o(&m.settings)
	}
	if m.settings.history <= 0 {
		m.settings.history = DefaultHistory
	}
	return m
}

// StateOption configures a state.
type StateOption func(*stateSettings)

type stateSettings struct{ wait time.Duration }

// Wait makes a state wait: while the application is in it, the reconcile is
// retried after d (Drive requeues), so that its guards are evaluated again
// even when nothing watched changes.
func Wait(d time.Duration) StateOption { return func(s *stateSettings) { s.wait = d } }

// Rule declares the transitions out of a state.
type Rule[D any] struct {
	node *statemachine.Node[D]
	next int
}

// State declares state s with its entry action (nil for none). It panics if
// s is declared twice.
func (m *Machine[D]) State(s State, entry Action[D], opts ...StateOption) *Rule[D] {
	var st stateSettings
	for _, o := range opts {
		o(&st)
	}
	if st.wait > 0 {
		m.waits[s] = st.wait
	}
	var action statemachine.Action[D]
	if entry != nil {
		action = statemachine.Action[D](entry)
	}
	return &Rule[D]{node: m.sm.Add(statemachine.State(s), action), next: 1 << 20}
}

// On adds a transition to to on event, taken when guard holds. Transitions
// are tried in the order they are declared.
func (r *Rule[D]) On(event Event, to State, guard Guard[D]) *Rule[D] {
	r.next--
	r.node.When(statemachine.State(to), r.next, string(event), statemachine.Guard[D](guard))
	return r
}

// Validate checks that the initial state and every transition's target are
// declared.
func (m *Machine[D]) Validate() error { return m.sm.Validate() }

// Mermaid renders the graph as a Mermaid state diagram.
func (m *Machine[D]) Mermaid() string { return m.sm.Mermaid() }

// DOT renders the graph in Graphviz's DOT language.
func (m *Machine[D]) DOT() string { return m.sm.DOT() }

// Transition is a transition an application took.
type Transition struct {
	From  State       `json:"from,omitempty"`
	To    State       `json:"to"`
	Event Event       `json:"event,omitempty"`
	At    metav1.Time `json:"at"`
}

// Status is where an application stands in its lifecycle, kept in the custom
// resource's status (a field `Lifecycle lifecycle.Status
// json:"lifecycle,omitempty"`).
type Status struct {
	// State is the current state; empty before the first Step.
	State State `json:"state,omitempty"`
	// Since is when the current state was entered.
	Since *metav1.Time `json:"since,omitempty"`
	// History holds the last transitions, oldest first.
	History []Transition `json:"history,omitempty"`
}

// DeepCopyInto copies s into out.
func (s *Status) DeepCopyInto(out *Status) {
	*out = *s
	if s.Since != nil {
		out.Since = s.Since.DeepCopy()
	}
	if s.History != nil {
		out.History = make([]Transition, len(s.History))
		for i := range s.History {
			s.History[i].DeepCopyInto(&out.History[i])
		}
	}
}

// DeepCopy returns a copy of s.
func (s *Status) DeepCopy() *Status {
	if s == nil {
		return nil
	}
	out := new(Status)
	s.DeepCopyInto(out)
	return out
}

// DeepCopyInto copies t into out.
func (t *Transition) DeepCopyInto(out *Transition) {
	*out = *t
	t.At.DeepCopyInto(&out.At)
}

// Outcome is what a Step did.
type Outcome struct {
	// Transitions taken, in order; none when the application stays put.
	Transitions []Transition
	// State is the state after the step.
	State State
	// Wait is the current state's wait (0 for none): retry after it.
	Wait time.Duration
}

// Step advances st on d. An empty Status enters the initial state (running
// its entry action). Then, from the current state, the first transition whose
// guard holds is taken and the entry action of the state it leads to is run;
// and so on, until no guard holds, or until a state would be entered twice in
// this step (a cycle: the next step goes on). The current state's own entry
// action is never run again: a restarted operator replays nothing.
//
// Each transition is recorded in st (State, Since, and History, bounded),
// also when the entry action fails; Step then stops and returns the error (a
// *statemachine.StateError). A stored state that the machine does not declare
// is an error, and st is left as it is.
func (m *Machine[D]) Step(ctx context.Context, st *Status, d D, now time.Time) (Outcome, error) {
	if err := m.sm.Validate(); err != nil {
		return Outcome{}, err
	}
	var out Outcome
	enter := func(from, to State, event Event) error {
		t := Transition{From: from, To: to, Event: event, At: metav1.NewTime(now)}
		out.Transitions = append(out.Transitions, t)
		st.State, st.Since = to, &t.At
		st.History = append(st.History, t)
		if n := len(st.History) - m.settings.history; n > 0 {
			st.History = append([]Transition(nil), st.History[n:]...)
		}
		return m.sm.Enter(ctx, statemachine.State(to), d)
	}
	if st.State == "" {
		if err := enter("", m.initial, ""); err != nil {
			return m.finish(out, st), err
		}
	} else if !m.sm.Has(statemachine.State(st.State)) {
		return Outcome{State: st.State}, fmt.Errorf("lifecycle: the stored state %q is not a state of this machine", st.State)
	}
	visited := map[State]bool{st.State: true}
	for range maxSteps {
		cur := st.State
		t, ok := m.sm.Next(statemachine.State(cur), d)
		next := State(t.To)
		if !ok || visited[next] {
			break
		}
		visited[next] = true
		if err := enter(cur, next, Event(t.Label)); err != nil {
			return m.finish(out, st), err
		}
	}
	return m.finish(out, st), nil
}

func (m *Machine[D]) finish(out Outcome, st *Status) Outcome {
	out.State = st.State
	out.Wait = m.waits[st.State]
	return out
}

// ErrNoStatus is returned by Drive when it is given no Status.
var ErrNoStatus = errors.New("lifecycle: no Status to keep the state in")
