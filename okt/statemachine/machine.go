package statemachine

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// State names a state of a Machine.
type State string

// Action is what a state does when the machine enters it. An action that
// returns an error stops the run (see StateError); actions that want the
// machine to react to a failure record it in d and let a guard route to an
// error state instead.
type Action[D any] func(ctx context.Context, d D) error

// Guard decides whether a transition is taken. Guards are evaluated after the
// action of their state, in priority order, and must not have side effects.
type Guard[D any] func(d D) bool

// DefaultMaxTransitions is the loop breaker's limit when WithMaxTransitions is
// not given.
const DefaultMaxTransitions = 1000

// ErrTooManyTransitions is returned (wrapped) by Run when the loop breaker
// stops a run.
var ErrTooManyTransitions = errors.New("too many transitions")

// StateError is returned by Run when the action of a state failed.
type StateError struct {
	State State
	Err   error
}

func (e *StateError) Error() string {
	return fmt.Sprintf("state %s: %v", e.State, e.Err)
}

// Unwrap returns the error of the action.
func (e *StateError) Unwrap() error { return e.Err }

// Option configures a Machine.
type Option func(*settings)

type settings struct {
	maxTransitions int
}

// WithMaxTransitions sets the loop breaker: a run that would take more than n
// transitions stops with ErrTooManyTransitions. n <= 0 selects
// DefaultMaxTransitions.
func WithMaxTransitions(n int) Option {
	return func(s *settings) { s.maxTransitions = n }
}

// Machine is a graph of states. Build it with New, Add, When and Otherwise,
// then Run it. A Machine must not be modified while it runs; it may run
// concurrently with itself.
type Machine[D any] struct {
	start    State
	nodes    map[State]*Node[D]
	order    []*Node[D]
	settings settings
}

// New returns a Machine whose runs begin in start. The start state must be
// added with Add before the machine runs.
func New[D any](start State, opts ...Option) *Machine[D] {
	m := &Machine[D]{start: start, nodes: map[State]*Node[D]{}}
	for _, o := range opts {
		o(&m.settings)
	}
	if m.settings.maxTransitions <= 0 {
		m.settings.maxTransitions = DefaultMaxTransitions
	}
	return m
}

// Node is a state of a Machine, returned by Add to declare its transitions.
type Node[D any] struct {
	state      State
	action     Action[D]
	edges      []edge[D] // highest priority first; ties in declaration order
	def        State
	hasDefault bool
}

type edge[D any] struct {
	to       State
	priority int
	label    string
	guard    Guard[D]
}

// Add declares state s with its action, which may be nil. It panics if s is
// empty or already declared: both are programming errors.
func (m *Machine[D]) Add(s State, action Action[D]) *Node[D] {
	if s == "" {
		panic("statemachine: empty state name")
	}
	if _, dup := m.nodes[s]; dup {
		panic(fmt.Sprintf("statemachine: state %q declared twice", s))
	}
	n := &Node[D]{state: s, action: action}
	m.nodes[s] = n
	m.order = append(m.order, n)
	return n
}

// When adds a transition to the state to, taken when guard holds. Among the
// transitions of a state, the highest priority is evaluated first; equal
// priorities are evaluated in the order they were added. label names the
// guard in Mermaid diagrams. It panics if guard is nil.
func (n *Node[D]) When(to State, priority int, label string, guard Guard[D]) *Node[D] {
	if guard == nil {
		panic(fmt.Sprintf("statemachine: nil guard on %s -> %s", n.state, to))
	}
	e := edge[D]{to: to, priority: priority, label: label, guard: guard}
	i := sort.Search(len(n.edges), func(i int) bool { return n.edges[i].priority < priority })
	n.edges = append(n.edges, edge[D]{})
	copy(n.edges[i+1:], n.edges[i:])
	n.edges[i] = e
	return n
}

// Otherwise sets the default child: the state entered when no guard holds.
func (n *Node[D]) Otherwise(to State) *Node[D] {
	n.def, n.hasDefault = to, true
	return n
}

// next returns the state after n, and false if n ends the run.
func (n *Node[D]) next(d D) (State, bool) {
	for _, e := range n.edges {
		if e.guard(d) {
			return e.to, true
		}
	}
	return n.def, n.hasDefault
}

// Start returns the state runs begin in.
func (m *Machine[D]) Start() State { return m.start }

// States returns the declared states, in declaration order.
func (m *Machine[D]) States() []State {
	out := make([]State, len(m.order))
	for i, n := range m.order {
		out[i] = n.state
	}
	return out
}

// Transition describes a transition of a Machine, for inspection.
type Transition struct {
	From, To State
	// Priority of a guarded transition; 0 for the default one.
	Priority int
	// Label of the guard; empty for the default transition.
	Label string
	// Default marks the transition taken when no guard holds.
	Default bool
}

// Transitions returns the transitions out of s in the order they are tried,
// the default one last; nil if s is not declared or ends runs.
func (m *Machine[D]) Transitions(s State) []Transition {
	n, ok := m.nodes[s]
	if !ok {
		return nil
	}
	var out []Transition
	for _, e := range n.edges {
		out = append(out, Transition{From: s, To: e.to, Priority: e.priority, Label: e.label})
	}
	if n.hasDefault {
		out = append(out, Transition{From: s, To: n.def, Default: true})
	}
	return out
}

// Validate checks that the start state and every transition's target are
// declared.
func (m *Machine[D]) Validate() error {
	// The common case, a valid machine, allocates nothing: a run validates
	// at each start.
	if _, ok := m.nodes[m.start]; ok && m.targetsDeclared() {
		return nil
	}
	var errs []error
	if _, ok := m.nodes[m.start]; !ok {
		errs = append(errs, fmt.Errorf("statemachine: start state %q is not declared", m.start))
	}
	for _, n := range m.order {
		for _, t := range m.Transitions(n.state) {
			if _, ok := m.nodes[t.To]; !ok {
				errs = append(errs, fmt.Errorf("statemachine: transition %s -> %s: state %q is not declared", t.From, t.To, t.To))
			}
		}
	}
	return errors.Join(errs...)
}

// targetsDeclared reports whether every transition leads to a declared
// state.
func (m *Machine[D]) targetsDeclared() bool {
	for _, n := range m.order {
		for _, e := range n.edges {
			if _, ok := m.nodes[e.to]; !ok {
				return false
			}
		}
		if _, ok := m.nodes[n.def]; n.hasDefault && !ok {
			return false
		}
	}
	return true
}

// Run runs the machine on d from the start state until it enters a state
// that ends the run, and returns the path of the states visited.
//
// It stops early, with the path so far, when an action fails (a *StateError),
// when the loop breaker trips (an error wrapping ErrTooManyTransitions), or if
// the machine is invalid (see Validate). Run does not watch ctx: it only
// passes it to the actions, which decide what a cancelled context means.
func (m *Machine[D]) Run(ctx context.Context, d D) (Path, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	path := make(Path, 0, 8)
	cur := m.start
	for transitions := 0; ; transitions++ {
		n := m.nodes[cur]
		path = append(path, cur)
		if n.action != nil {
			if err := n.action(ctx, d); err != nil {
				return path, &StateError{State: cur, Err: err}
			}
		}
		next, ok := n.next(d)
		if !ok {
			return path, nil
		}
		if transitions >= m.settings.maxTransitions {
			return path, fmt.Errorf("statemachine: %w: more than %d, stopped in %s before entering %s",
				ErrTooManyTransitions, m.settings.maxTransitions, cur, next)
		}
		cur = next
	}
}

// Next returns the transition a run would take out of from, given d: the
// first whose guard holds, else the default one; false when from is not
// declared or no transition is taken. It runs no action: with Enter, it lets
// a caller step a machine whose current state is stored elsewhere (a custom
// resource's status), one transition at a time.
func (m *Machine[D]) Next(from State, d D) (Transition, bool) {
	n, ok := m.nodes[from]
	if !ok {
		return Transition{}, false
	}
	for _, e := range n.edges {
		if e.guard(d) {
			return Transition{From: from, To: e.to, Priority: e.priority, Label: e.label}, true
		}
	}
	if n.hasDefault {
		return Transition{From: from, To: n.def, Default: true}, true
	}
	return Transition{}, false
}

// Enter runs the action of state s on d, as a run does when it enters s. It
// returns a *StateError when the action fails, and an error when s is not
// declared.
func (m *Machine[D]) Enter(ctx context.Context, s State, d D) error {
	n, ok := m.nodes[s]
	if !ok {
		return fmt.Errorf("statemachine: state %q is not declared", s)
	}
	if n.action == nil {
		return nil
	}
	if err := n.action(ctx, d); err != nil {
		return &StateError{State: s, Err: err}
	}
	return nil
}

// Has reports whether s is declared.
func (m *Machine[D]) Has(s State) bool {
	_, ok := m.nodes[s]
	return ok
}
