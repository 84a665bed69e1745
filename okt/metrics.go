package okt

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Metrics okt registers on controller-runtime's registry (metrics.Registry),
// served by the manager's metrics endpoint. Their labels are bounded: the
// kind of the custom resource (controller), the kind of an object, a cause or
// an outcome from a fixed list; never an object's name.
const (
	// MetricWrites counts the write requests okt sent, by controller, kind
	// ("Deployment.apps", or the custom resource's kind for its status,
	// finalizer and inventory) and cause: create, update (the desired state
	// changed), drift (a live edit set back), migrate (an object written
	// before server-side apply moved to okt's field manager), recreate (an
	// immutable change), delete, prune, status, finalizer, inventory.
	MetricWrites = "okt_writes_total"
	// MetricReconciles counts reconciles by controller and outcome: ready,
	// progressing, failed (an owned object failed), error, conflict,
	// gave_up, finalized, not_found.
	MetricReconciles = "okt_reconciles_total"
	// MetricTimeToReady observes, by controller, the seconds from the first
	// reconcile of a custom resource's generation to its Ready condition
	// True.
	MetricTimeToReady = "okt_time_to_ready_seconds"
	// MetricGiveUps counts give-ups by controller.
	MetricGiveUps = "okt_give_ups_total"
	// MetricFights counts the fights with other writers okt detected (see
	// FightRule), by controller and object kind.
	MetricFights = "okt_fights_total"
)

var (
	writesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricWrites,
		Help: "Write requests sent by okt, by controller, object kind and cause.",
	}, []string{"controller", "kind", "cause"})
	reconcilesTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricReconciles,
		Help: "Reconciles run by okt, by controller and outcome.",
	}, []string{"controller", "outcome"})
	timeToReady = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    MetricTimeToReady,
		Help:    "Seconds from the first reconcile of a custom resource's generation to Ready=True.",
		Buckets: prometheus.ExponentialBuckets(0.25, 2, 12), // 0.25 s to about 8.5 min
	}, []string{"controller"})
	giveUpsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricGiveUps,
		Help: "Reconciles that gave up (terminal errors), by controller.",
	}, []string{"controller"})
	fightsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: MetricFights,
		Help: "Fights with other writers over fields okt owns, by controller and object kind.",
	}, []string{"controller", "kind"})
)

func init() {
	metrics.Registry.MustRegister(writesTotal, reconcilesTotal, timeToReady, giveUpsTotal, fightsTotal)
}

// Write causes, the values of MetricWrites' cause label.
const (
	causeCreate    = "create"
	causeDelete    = "delete"
	causePrune     = "prune"
	causeStatus    = "status"
	causeFinalizer = "finalizer"
	causeInventory = "inventory"
	causeRecreate  = "recreate"
	causeAdopt     = "adopt"
)

// clock times the custom resources of every Reconciler of the process (UIDs
// are unique): scaffolded controllers build a Reconciler per reconcile.
var clock readyClock

// maxTimed bounds the custom resources being timed: a resource deleted before
// it got Ready leaves its entry behind; past this many, all are dropped.
const maxTimed = 100000

// readyClock remembers when each custom resource's current generation was
// first reconciled, until it gets Ready. It is safe for concurrent use.
type readyClock struct {
	mu      sync.Mutex
	pending map[types.UID]generationStart
}

type generationStart struct {
	generation int64
	at         time.Time
}

// seen records the first reconcile of generation gen of uid, unless it is
// already Ready.
func (c *readyClock) seen(uid types.UID, gen int64, alreadyReady bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pending[uid]; ok && p.generation == gen {
		return
	}
	if alreadyReady {
		delete(c.pending, uid)
		return
	}
	if c.pending == nil || len(c.pending) >= maxTimed {
		c.pending = map[types.UID]generationStart{}
	}
	c.pending[uid] = generationStart{generation: gen, at: now}
}

// ready returns how long generation gen of uid took to get Ready, and
// forgets it; false when it was not being timed.
func (c *readyClock) ready(uid types.UID, gen int64, now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.pending[uid]
	if !ok || p.generation != gen {
		return 0, false
	}
	delete(c.pending, uid)
	return now.Sub(p.at), true
}

// forget drops uid (the custom resource is gone).
func (c *readyClock) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, uid)
}
