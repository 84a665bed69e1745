package lifecycle

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
)

// ConditionLifecycle is the condition Drive keeps on the custom resource:
// True, with the current state as its reason.
const ConditionLifecycle = "Lifecycle"

// EventTransition is the reason of the Event Drive records for each
// transition.
const EventTransition = "LifecycleTransition"

// Drive steps the lifecycle kept in st (a field of s.CR()'s status) within a
// reconcile: it calls Step, sets the Lifecycle condition (reason: the state;
// message: how it was entered), records an Event per transition, and asks
// for a requeue after the state's wait. Call it from a Stepper step after the
// writes (OnSuccess), so that guards see the objects' readiness, or from a
// FreeStyle function. An entry action's error is recorded with s.Fail and
// returned; the status (and so the transition) is still written.
func Drive[T client.Object, D any](ctx context.Context, s *okt.Scope[T], m *Machine[D], st *Status, d D) error {
	if st == nil {
		s.Fail(ErrNoStatus)
		return ErrNoStatus
	}
	out, err := m.Step(ctx, st, d, time.Now())
	for _, t := range out.Transitions {
		s.Event(corev1.EventTypeNormal, EventTransition, transitionText(t))
	}
	if st.State != "" {
		msg := "entered " + string(st.State)
		if n := len(st.History); n > 0 && st.History[n-1].To == st.State {
			msg = transitionText(st.History[n-1])
		}
		s.SetCondition(metav1.Condition{Type: ConditionLifecycle, Status: metav1.ConditionTrue, Reason: reasonOf(st.State), Message: msg})
	}
	if out.Wait > 0 {
		s.Requeue(out.Wait)
	}
	if err != nil {
		err = fmt.Errorf("lifecycle: %w", err)
		s.Fail(err)
	}
	return err
}

// transitionText renders a transition without its time, so that messages
// stay stable: "Deploying -> Running (WorkloadReady)".
func transitionText(t Transition) string {
	if t.From == "" {
		return "entered " + string(t.To)
	}
	text := string(t.From) + " -> " + string(t.To)
	if t.Event != "" {
		text += " (" + string(t.Event) + ")"
	}
	return text
}

// reasonOf turns a state into a condition reason: letters, digits and
// underscores, starting with a letter.
func reasonOf(s State) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9' && len(out) > 0, c == '_' && len(out) > 0:
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "Unknown"
	}
	return string(out)
}
