package okt

import (
	"fmt"

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
)

// WithEventRecorder makes the Reconciler record an Event on the custom
// resource for each real change (an object created, updated, set back after a
// live edit, pruned or deleted, and a give-up), through rec, typically
// mgr.GetEventRecorderFor("<name>-controller"). Their messages name the
// object and, for an update, the field path of its reason; Secret values are
// masked. Defaults to no Events.
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

func (s *Scope[T]) normalEvent(reason, format string, args ...any) {
	s.event(corev1.EventTypeNormal, reason, format, args...)
}
