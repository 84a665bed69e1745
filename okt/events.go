package okt

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
)

// Reasons of the Events okt records on the custom resource, one for each real
// change; none for a reconcile that changes nothing.
const (
	EventCreated        = "Created"
	EventUpdated        = "Updated"
	EventDriftCorrected = "DriftCorrected"
	EventPruned         = "Pruned"
	EventDeleted        = "Deleted"
	EventGaveUp         = "GaveUp"
	// EventFieldFight (Warning): another writer keeps setting back a field
	// okt owns; okt backs off its corrections (see FightRule).
	EventFieldFight = "FieldFight"
	// EventFightEnded: the fight is over, the field is okt's again.
	EventFightEnded = "FightEnded"
	// EventRecreated: an object deleted to apply an immutable change
	// (resources.RecreateOnImmutableChange).
	EventRecreated = "Recreated"
	// EventReconciled: the one Event of a reconcile that made changes of
	// several kinds (objects created and updated, say).
	EventReconciled = "Reconciled"
)

// maxEventMessage bounds the message of the Event that lists a reconcile's
// changes (the events.k8s.io API keeps 1 kB of a note).
const maxEventMessage = 1000

// WithEventRecorder makes the Reconciler record Events on the custom
// resource through rec, typically mgr.GetEventRecorderFor("<name>-controller"):
// one Normal Event per reconcile that changed something, listing the
// changes (objects created, updated, set back after a live edit, pruned,
// deleted), with the reason of the change when they share one (Created,
// Updated...) and Reconciled otherwise; a Warning Event for each thing a
// user must act on (a give-up, a fight over a field). A reconcile that
// changes nothing records none. Messages name the objects and, for an
// update, the field path of its reason; Secret values are masked. Defaults
// to no Events.
func WithEventRecorder(rec record.EventRecorder) Option {
	return func(o *options) { o.recorder = rec }
}

// event records an Event on the custom resource, if a recorder is set.
func (s *Scope[T]) event(eventType, reason, format string, args ...any) {
	if s.opts.recorder == nil {
		return
	}
	s.opts.recorder.Event(s.cr, eventType, reason, s.redact(fmt.Sprintf(format, args...)))
}

// Event records an Event on the custom resource through the recorder given
// with WithEventRecorder (nothing without one). Secret values in message are
// masked. Record Events for real changes only.
func (s *Scope[T]) Event(eventType, reason, message string) {
	s.event(eventType, reason, "%s", message)
}

// normalEvent notes a change, for the reconcile's one Normal Event (see
// flushEvents).
func (s *Scope[T]) normalEvent(reason, format string, args ...any) {
	if s.opts.recorder == nil {
		return
	}
	s.changes = append(s.changes, noted{reason: reason, message: fmt.Sprintf(format, args...)})
}

// noted is a change of the reconcile, for its Event.
type noted struct{ reason, message string }

// flushEvents records the one Normal Event of the reconcile: the changes it
// noted, in order, under their common reason, or Reconciled.
func (s *Scope[T]) flushEvents() {
	if len(s.changes) == 0 {
		return
	}
	reason := s.changes[0].reason
	var b strings.Builder
	for i, c := range s.changes {
		if c.reason != reason {
			reason = EventReconciled
		}
		sep := ""
		if i > 0 {
			sep = "; "
		}
		if b.Len()+len(sep)+len(c.message) > maxEventMessage {
			fmt.Fprintf(&b, "; and %d more", len(s.changes)-i)
			break
		}
		b.WriteString(sep)
		b.WriteString(c.message)
	}
	s.changes = nil
	s.event(corev1.EventTypeNormal, reason, "%s", b.String())
}
