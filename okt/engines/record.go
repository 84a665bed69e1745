package engines

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/results"
)

// PanicError records a panic recovered in a step. A panic is always a
// failure, retried with backoff, even if the value it carries is a give-up.
type PanicError struct {
	// Step is the step that panicked, for example "Mutate".
	Step string
	// Value is what the step panicked with.
	Value any
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("panic in step %s: %v", e.Step, e.Value)
}

// stepFunc is the signature of every step.
type stepFunc[T client.Object] func(ctx context.Context, s *okt.Scope[T]) error

// runStep runs fn, recovering a panic, and records what it returned.
func runStep[T client.Object](ctx context.Context, s *okt.Scope[T], name string, fn stepFunc[T]) {
	record(s, protect(ctx, name, func() error { return fn(ctx, s) }))
}

// protect calls fn and turns a panic into a *PanicError, logged with its
// stack.
func protect(ctx context.Context, name string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Step: name, Value: v}
			logr.FromContextOrDiscard(ctx).Error(err, "recovered a panic", "step", name, "stack", string(debug.Stack()))
		}
	}()
	return fn()
}

// maxChain bounds the walk through an error's wrapped errors, so that a
// cyclic chain cannot hang the controller.
const maxChain = 256

// maxGiveUpNesting bounds how many give-ups wrapping give-ups are flattened.
const maxGiveUpNesting = 16

// record records err in s's results, once:
//   - a give-up, however wrapped or nested, with s.GiveUp, flattened to its
//     first reason and its innermost cause, unless the same give-up is
//     already recorded;
//   - another error with s.Fail, unless the results hold it already (or an
//     error that wraps it, or that it wraps);
//   - an error that cannot be inspected safely (a cyclic or huge chain, an
//     Error method that panics) is replaced by one that can.
func record[T client.Object](s *okt.Scope[T], err error) {
	if err == nil {
		return
	}
	g, isGiveUp, complete := findGiveUp(err)
	if !complete {
		s.Fail(fmt.Errorf("a step returned a %T whose wrapped errors are cyclic or more than %d", err, maxChain))
		return
	}
	if isGiveUp {
		reason, cause := flattenGiveUp(g)
		if givenUpAlready(s.Results(), reason, cause, err) {
			return
		}
		s.GiveUp(reason, cause)
		return
	}
	if !printable(err) {
		s.Fail(fmt.Errorf("a step returned a %T whose Error method panics", err))
		return
	}
	if recorded(s.Results(), err) {
		return
	}
	s.Fail(err)
}

// findGiveUp returns the first give-up in err's tree (possibly a nil
// pointer), whether there is one, and whether the tree was walked fully or up
// to the give-up.
func findGiveUp(err error) (g *results.GiveUpError, found, complete bool) {
	found, complete = walk(err, func(e error) bool {
		var ok bool
		g, ok = e.(*results.GiveUpError)
		return ok
	})
	return g, found, complete
}

// flattenGiveUp returns the first non-empty reason of the chain of give-ups
// starting at g and the first cause that is not a give-up.
func flattenGiveUp(g *results.GiveUpError) (reason string, cause error) {
	for range maxGiveUpNesting {
		if g == nil {
			return reason, nil
		}
		if reason == "" {
			reason = g.Reason
		}
		if g.Err == nil {
			return reason, nil
		}
		next, found, complete := findGiveUp(g.Err)
		switch {
		case !complete:
			return reason, fmt.Errorf("the cause of the give-up, a %T, wraps errors that are cyclic or more than %d", g.Err, maxChain)
		case !found:
			if !printable(g.Err) {
				return reason, fmt.Errorf("the cause of the give-up, a %T, has an Error method that panics", g.Err)
			}
			return reason, g.Err
		}
		g = next
	}
	return reason, fmt.Errorf("give-ups nested more than %d deep", maxGiveUpNesting)
}

// givenUpAlready reports whether results hold a give-up with this reason and
// cause, or the error err itself.
func givenUpAlready(rs *results.Results, reason string, cause, err error) bool {
	for _, e := range rs.Entries() {
		if !e.GiveUp || e.Err == nil {
			continue
		}
		if contains(err, e.Err) {
			return true
		}
		if g, ok := e.Err.(*results.GiveUpError); ok && g != nil && g.Reason == reason && same(g.Err, cause) {
			return true
		}
	}
	return false
}

// recorded reports whether results hold err, an error wrapping it, or an
// error it wraps.
func recorded(rs *results.Results, err error) bool {
	for _, e := range rs.Entries() {
		if e.Err != nil && (contains(err, e.Err) || contains(e.Err, err)) {
			return true
		}
	}
	return false
}

// contains reports whether target is in err's tree.
func contains(err, target error) bool {
	found, _ := walk(err, func(e error) bool { return same(e, target) })
	return found
}

// walk calls fn on err and the errors it wraps, depth first, until fn
// returns true. It reports whether fn did, and whether the walk ended before
// maxChain errors (complete is true when found is).
func walk(err error, fn func(error) bool) (found, complete bool) {
	stack := []error{err}
	for n := 0; len(stack) > 0; {
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		if n++; n > maxChain {
			return false, false
		}
		if fn(e) {
			return true, true
		}
		stack = append(stack, unwrap(e)...)
	}
	return false, true
}

// unwrap returns the errors e wraps, in reverse order (for a stack), or nil
// if its Unwrap method panics (a nil pointer receiver, say).
func unwrap(e error) (out []error) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	switch u := e.(type) {
	case interface{ Unwrap() error }:
		return []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		errs := u.Unwrap()
		out = make([]error, len(errs))
		for i, x := range errs {
			out[len(errs)-1-i] = x
		}
		return out
	}
	return nil
}

// same reports whether a and b are the same error value, without panicking
// on values that cannot be compared.
func same(a, b error) (eq bool) {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	t := reflect.TypeOf(a)
	if t != reflect.TypeOf(b) || !t.Comparable() {
		return false
	}
	defer func() {
		if recover() != nil {
			eq = false
		}
	}()
	return a == b
}

// printable reports whether err.Error() returns without panicking.
func printable(err error) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_ = err.Error()
	return true
}
