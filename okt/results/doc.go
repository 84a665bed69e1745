// Package results records what one reconcile did, operation by operation, and
// turns that record into the (reconcile.Result, error) pair that
// controller-runtime expects.
//
// A Results value lives for one reconcile only. Every operation (a CR read, a
// resource created, a status written ...) adds an Entry with a typed Op, an
// optional error and an optional requeue delay. Ops are plain strings so that
// operators can define their own next to the ones declared here.
//
// Consolidation follows controller-runtime's semantics:
//   - a give-up recorded with AddGiveUpRetry (every give-up of the reconcile
//     being one) asks for a requeue after the lowest of their delays, and
//     returns no error: controller-runtime's backoff would retry within
//     seconds what only a change elsewhere fixes;
//   - any other give-up is terminal: no requeue; the error, if any, is returned wrapped
//     in reconcile.TerminalError so that it is logged but not retried;
//   - otherwise any error other than a conflict is returned as is, and the
//     controller's rate limiter backs the request off exponentially while the
//     error recurs;
//   - conflicts (someone else wrote the object first) requeue silently after a
//     short delay and are never reported as errors;
//   - otherwise the lowest non-zero RequeueAfter wins.
//
// Results is safe for concurrent use, so that steps may fan work out.
package results
