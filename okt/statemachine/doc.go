// Package statemachine is a small, generic, typed state machine.
//
// A Machine is a graph of named states. Each state has an optional action,
// run when the machine enters it, and prioritised transitions to its
// children: after the action, the guards of the transitions are evaluated
// from the highest priority down and the first one that holds is taken; if
// none holds, the state's default child is taken; a state with neither
// transitions nor a default child ends the run.
//
// Run records every state visited in a Path, whose String form compresses
// repeated cycles: ">Start>(Poll>Wait)x3>Done". A loop breaker stops a run
// after a maximum number of transitions (see WithMaxTransitions) instead of
// spinning forever. Mermaid exports the graph as a Mermaid state diagram.
//
// A Machine is generic over the data D its actions and guards work on. Once
// built, a Machine holds no per-run state: one Machine may run any number of
// times, concurrently, as long as it is not modified meanwhile.
//
// okt's Stepper engine (package engines) is built on it; operators may use it
// for the lifecycle of the applications they manage.
package statemachine
