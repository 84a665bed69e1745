package okt

import (
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// A fight: another writer sets a field okt owns back to its own value, okt
// sets it back to the operator's, and so on. okt keeps its value (it owns the
// field), but once it has set the same field of the same object back
// FightRule.Corrections times within FightRule.Window, it spaces out its
// corrections of that object, exponentially from FightRule.FirstBackoff up to
// FightRule.MaxBackoff, records a Warning Event naming the object, the field
// and the other field manager, sets the custom resource's FieldConflict
// condition, and counts the fight in MetricFights. The fight ends when the
// object stays as declared for the current backoff (at most a minute) after
// okt's last correction: the condition goes, a Normal Event says so.

// FightRule tells when repeated corrections of one field are a fight, and how
// okt backs off.
type FightRule struct {
	// Corrections of the same field of the same object within Window that make
	// a fight. 0 turns fight detection off.
	Corrections int
	Window      time.Duration
	// FirstBackoff is the wait before the first correction once a fight is
	// detected; it doubles after each one, up to MaxBackoff.
	FirstBackoff, MaxBackoff time.Duration
}

// DefaultFightRule: 3 corrections of a field in 5 minutes; corrections 2 s
// apart, then 4 s, 8 s... up to 5 minutes.
var DefaultFightRule = FightRule{Corrections: 3, Window: 5 * time.Minute, FirstBackoff: 2 * time.Second, MaxBackoff: 5 * time.Minute}

// WithFightRule sets when repeated corrections are a fight, and the backoff.
// Defaults to DefaultFightRule.
func WithFightRule(r FightRule) Option { return func(o *options) { o.fight = r } }

// maxQuiet bounds how long an object must stay as declared after a fight's
// last correction before the fight counts as over.
const maxQuiet = time.Minute

// fightBook holds the corrections and fights of every Reconciler of the
// process, by object UID. It is safe for concurrent use.
type fightBook struct {
	mu      sync.Mutex
	objects map[types.UID]*objectFights
	// size is len(objects), read without the lock: the steady state's
	// reconciles find the book empty and take no lock.
	size atomic.Int64
}

type objectFights struct {
	corrections map[string][]time.Time // by field path, within the window
	fight       *fight
}

// fight is an ongoing fight over a field of an object.
type fight struct {
	Object, Path, Manager string
	Started, Last         time.Time
	Backoff               time.Duration
}

// nextCorrection is when okt may set the object back again.
func (f *fight) nextCorrection() time.Time { return f.Last.Add(f.Backoff) }

// quietUntil is when the fight is over if nothing drifts until then.
func (f *fight) quietUntil() time.Time { return f.Last.Add(min(f.Backoff, maxQuiet)) }

var fights = &fightBook{}

// wait returns how long okt must wait before it corrects the object, 0 when
// it may now.
func (b *fightBook) wait(uid types.UID, now time.Time) time.Duration {
	if b.size.Load() == 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.objects[uid]
	if o == nil || o.fight == nil {
		return 0
	}
	if d := o.fight.nextCorrection().Sub(now); d > 0 {
		return d
	}
	return 0
}

// corrected records a correction of path on the object and returns the fight
// when this correction starts one.
func (b *fightBook) corrected(rule FightRule, uid types.UID, object, path, manager string, now time.Time) (started *fight) {
	if rule.Corrections <= 0 || uid == "" {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.objects == nil || len(b.objects) >= maxTimed {
		b.objects = map[types.UID]*objectFights{}
		b.size.Store(0)
	}
	o := b.objects[uid]
	if o == nil {
		o = &objectFights{corrections: map[string][]time.Time{}}
		b.objects[uid] = o
		b.size.Store(int64(len(b.objects)))
	}
	times := o.corrections[path]
	kept := times[:0]
	for _, t := range times {
		if now.Sub(t) < rule.Window {
			kept = append(kept, t)
		}
	}
	o.corrections[path] = append(kept, now)
	if f := o.fight; f != nil {
		f.Last = now
		f.Backoff = min(f.Backoff*2, rule.MaxBackoff)
		if manager != "" {
			f.Manager = manager
		}
		return nil
	}
	if len(o.corrections[path]) < rule.Corrections {
		return nil
	}
	o.fight = &fight{Object: object, Path: path, Manager: manager, Started: now, Last: now, Backoff: rule.FirstBackoff}
	f := *o.fight
	return &f
}

// calm records that the object is as declared; it returns the fight this
// ends, or, when a fight goes on, how long the object must stay so.
func (b *fightBook) calm(uid types.UID, now time.Time) (ended *fight, after time.Duration) {
	if b.size.Load() == 0 {
		return nil, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.objects[uid]
	if o == nil {
		return nil, 0
	}
	if f := o.fight; f != nil {
		if d := f.quietUntil().Sub(now); d > 0 {
			return nil, d
		}
		delete(b.objects, uid)
		b.size.Store(int64(len(b.objects)))
		return f, 0
	}
	return nil, 0
}

// active returns the ongoing fight over the object, nil if none.
func (b *fightBook) active(uid types.UID) *fight {
	if b.size.Load() == 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if o := b.objects[uid]; o != nil && o.fight != nil {
		f := *o.fight
		return &f
	}
	return nil
}

// forget drops what is known of the object (it is gone).
func (b *fightBook) forget(uid types.UID) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.objects, uid)
	b.size.Store(int64(len(b.objects)))
}
