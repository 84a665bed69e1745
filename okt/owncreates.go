package okt

import (
	"context"
	"sync"
	"time"

	"github.com/okt-dev/okt/okt/resources"
)

// ownCreates remembers, for the whole process, when okt last created each
// object, so that a reconcile whose cache does not show an object okt
// created moments ago (the create's watch event still on its way, while the
// custom resource's came first) waits for the cache instead of applying the
// object again: a second apply changes nothing and costs a write and a
// "Created" Event (2 of each at N=1000 in make bench-compare).
var ownCreates = &createMemo{}

// ownCreateWindow is how long after a create a cache that does not show the
// object is taken to be behind, not the object deleted; ownCreateWait bounds
// the wait for the cache within that window, and ownCreatePoll is the step.
// An object deleted by someone right after okt created it is created again
// after at most ownCreateWait.
const (
	ownCreateWindow = 5 * time.Second
	ownCreateWait   = 500 * time.Millisecond
	ownCreatePoll   = 10 * time.Millisecond
)

type createMemo struct {
	mu    sync.Mutex
	m     map[resources.Key]time.Time
	swept time.Time
}

func (m *createMemo) created(k resources.Key, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[resources.Key]time.Time{}
	}
	if at.Sub(m.swept) > ownCreateWindow { // drop what is out of the window
		for key, t := range m.m {
			if at.Sub(t) > ownCreateWindow {
				delete(m.m, key)
			}
		}
		m.swept = at
	}
	m.m[k] = at
}

// recent reports whether okt created k within the window before now.
func (m *createMemo) recent(k resources.Key, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.m[k]
	return ok && now.Sub(t) < ownCreateWindow
}

// awaitOwnCreate reads r again from the cache, for at most ownCreateWait,
// when okt created it moments ago and the cache did not show it: it reports
// whether the object showed up (r then holds it, as if Register had read it).
func (s *Scope[T]) awaitOwnCreate(ctx context.Context, r resources.Resource) bool {
	if !ownCreates.recent(r.Key(), time.Now()) {
		return false
	}
	deadline := time.Now().Add(ownCreateWait)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(ownCreatePoll):
		}
		if err := r.Fetch(ctx, s.env()); err != nil {
			return false
		}
		if r.Exists() {
			s.log.V(1).Info("the cache caught up with an object okt created moments ago: not applied again", "resource", resName(r))
			return true
		}
	}
	return false
}
