// Package lifecycle drives the lifecycle of the application an operator
// manages, beyond its first roll-out: Deploying, Running, Upgrading,
// Degraded, Recovering, or whatever states the application has.
//
// A Machine is a declarative table of typed states and events, built on
// package statemachine: each state has an optional entry action and
// prioritised transitions, each labelled with an event and guarded by a pure
// function of the data the operator passes (the custom resource, the
// readiness of its objects, the application's answers to an HTTP call...).
// A state may wait: while the application is in it, the reconcile is retried
// after a delay, rather than spinning.
//
// The machine holds no state of its own. The current state, when it was
// entered and a bounded history of transitions live in a Status that the
// operator keeps in its custom resource's status, so that a restarted
// operator resumes where it was, with no transition replayed. Step advances
// a Status; Drive does it within an okt reconcile: each transition is a change
// of the custom resource's Lifecycle condition and an Event.
//
// Machine.Mermaid and Machine.DOT export the graph.
package lifecycle
