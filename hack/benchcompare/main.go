// Command benchcompare runs controllers of the same custom resource, each
// alone on a fresh local cluster (package okt/cluster), and measures from
// outside: the time until every custom resource is Ready, the write requests
// the controller sent until then and in a window after (from the API
// server's audit log, which names the controller's user), its CPU seconds
// and its peak RSS (from the kernel's accounting of its process). The floor
// (no controller: the same writes made directly) runs the same way.
//
// -repeat runs each several times (medians and spreads), -scale at several
// N (growth exponents), -restart starts each controller again against the
// Ready custom resources (time to reconcile all, reads, writes, CPU).
//
// hack/bench-compare.sh builds the controllers and runs it; see there and
// docs/performance.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/okt-dev/okt/okt/cluster"
)

// operatorUser is the user the controller runs as: the audit policy logs
// this user's writes only.
const operatorUser = "okt-bench-operator"

var webGVR = schema.GroupVersionResource{Group: "web.okt.bench", Version: "v1", Resource: "webs"}

type config struct {
	operator    string
	crds        string
	n           int
	scale       []int // when set, every controller at each of these N instead of n
	repeat      int
	after       time.Duration
	controllers []string
	syncPeriod  time.Duration
	out         string
	check       bool
	restart     bool
	readyBound  time.Duration
	keepLogs    string
}

// The controllers' names in the bench binary (cmd/bench --controller), and
// the names their controller-runtime controllers have (Named), which label
// their metrics.
var metricsName = map[string]string{"okt": "web", "book": "web-book", "ssa": "web-ssa"}

func main() {
	var cfg config
	var controllers, scale string
	flag.StringVar(&cfg.operator, "operator", "", "the controller binary (cmd/bench of the scaffolded project)")
	flag.StringVar(&cfg.crds, "crds", "", "the folder of the Web CRD")
	flag.IntVar(&cfg.n, "n", 1000, "how many Web custom resources")
	flag.StringVar(&scale, "scale", "", "a list of N (100,300,1000,3000): run every controller at each N (-n is then ignored) and, with -out, write bench-scale.md, .csv, .svg and .png instead of bench-compare.*")
	flag.IntVar(&cfg.repeat, "repeat", 1, "run each controller this many times, alternating (okt, book, ssa, floor, floor-apply, okt, ...), each on a fresh cluster; the table shows medians and min-max")
	flag.DurationVar(&cfg.after, "after", 30*time.Second, "how long to count writes once every Web is Ready")
	flag.StringVar(&controllers, "controllers", "okt,book,ssa,floor,floor-apply", "the controllers to run, in order (floor: no controller, the same writes made directly; floor-apply: the floor making okt's requests, server-side applies and an Event per custom resource)")
	flag.DurationVar(&cfg.syncPeriod, "sync-period", 0, "the manager cache's SyncPeriod, the same for all (0: controller-runtime's default, 10 hours)")
	flag.StringVar(&cfg.out, "out", "", "a folder where to write bench-compare.md, .svg, .png, .csv and -runs.csv (bench-scale.* with -scale); none if empty")
	flag.BoolVar(&cfg.check, "check", false, "fail unless okt sends the minimum writes until Ready, none after, and none after a restart (with -restart)")
	flag.BoolVar(&cfg.restart, "restart", false, "once the window after Ready has passed, stop each controller (SIGTERM), start it again against the N Ready Webs and measure the time until it reconciled N times (from its metrics), its reads and writes and its CPU in that time (not for the floor)")
	flag.DurationVar(&cfg.readyBound, "ready-bound", 30*time.Minute, "give up when the Webs are not all Ready by then (or not all reconciled after a restart)")
	flag.StringVar(&cfg.keepLogs, "keep-logs", "", "a folder where to copy each run's controller log and audit log (none if empty)")
	flag.Parse()
	cfg.controllers = strings.Split(controllers, ",")
	var err error
	if cfg.scale, err = parseScale(scale); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare: -scale:", err)
		os.Exit(2)
	}
	if err := cfg.validate(); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(2)
	}
	// envtest logs through controller-runtime's logger: nothing to show.
	ctrllog.SetLogger(logr.Discard())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		os.Exit(1)
	}
}

// parseScale reads a comma-separated list of N.
func parseScale(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var ns []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a number of custom resources", f)
		}
		if slices.Contains(ns, n) {
			return nil, fmt.Errorf("%d twice", n)
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns, nil
}

func (c *config) validate() error {
	if c.operator == "" || c.crds == "" {
		return errors.New("-operator and -crds are required (hack/bench-compare.sh sets them)")
	}
	if c.n < 1 {
		return fmt.Errorf("-n %d: want at least 1 custom resource", c.n)
	}
	if c.repeat < 1 {
		return fmt.Errorf("-repeat %d: want at least 1 run", c.repeat)
	}
	if c.after < 0 {
		return fmt.Errorf("-after %s: want a duration of zero or more", c.after)
	}
	seen := map[string]bool{}
	for _, name := range c.controllers {
		switch name {
		case "okt", "book", "ssa", "floor", "floor-apply":
		default:
			return fmt.Errorf("-controllers: %q is not okt, book, ssa, floor or floor-apply", name)
		}
		if seen[name] {
			return fmt.Errorf("-controllers: %s twice (use -repeat to run each several times)", name)
		}
		seen[name] = true
	}
	return nil
}

// measure is what one controller's run gave.
type measure struct {
	controller  string
	n           int
	run         int // 1 to -repeat
	toReady     time.Duration
	untilReady  counts
	after       counts
	afterWindow time.Duration
	cpu         time.Duration
	peakRSS     int64 // bytes
	series      []int // write requests in each second since the controller started
	restart     *restartMeasure
}

// restartMeasure is what the controller's second start, against the N
// Ready Webs, gave: from its start to the moment its metrics showed N
// reconciles (when it was stopped).
type restartMeasure struct {
	started    time.Time
	stopped    time.Time
	took       time.Duration
	reconciles reconcileCounts // controller_runtime_reconcile_total when it was stopped
	reads      reads
	writes     counts
	cpu        time.Duration
	peakRSS    int64
}

func run(ctx context.Context, cfg config) (err error) {
	machine := machineOf()
	ns := cfg.scale
	if ns == nil {
		ns = []int{cfg.n}
	}
	var results []measure
	// What was measured is written even when a later run fails.
	defer func() {
		if cfg.out == "" || len(results) == 0 {
			return
		}
		if outErr := writeOutputs(cfg, machine, results); outErr != nil {
			if err == nil {
				err = outErr
			} else {
				fmt.Fprintln(os.Stderr, "benchcompare: cannot write the outputs:", outErr)
			}
		} else {
			fmt.Printf("benchcompare: wrote the results of %d runs into %s\n", len(results), cfg.out)
		}
	}()
	for _, n := range ns {
		fmt.Printf("benchcompare: N=%d custom resources, each owning a Deployment, a Service and a ConfigMap; %d run(s) of %s; %s\n",
			n, cfg.repeat, strings.Join(cfg.controllers, ", "), machine)
		for r := 1; r <= cfg.repeat; r++ {
			for _, name := range cfg.controllers {
				m, err := runOne(ctx, cfg, name, n, r)
				if err != nil {
					return fmt.Errorf("%s (N=%d, run %d): %w", name, n, r, err)
				}
				fmt.Println(runLine(cfg, m))
				results = append(results, m)
			}
		}
		fmt.Println()
		fmt.Print(tableOf(cfg, n, results, true))
		fmt.Println()
	}
	if cfg.scale != nil {
		fmt.Print(exponentsTable(cfg, results))
		fmt.Println()
	}
	if cfg.check {
		return checkOKT(cfg, results)
	}
	return nil
}

// runLine is the line printed after each run.
func runLine(cfg config, m measure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "benchcompare: %s", m.controller)
	if cfg.repeat > 1 {
		fmt.Fprintf(&b, " (run %d/%d)", m.run, cfg.repeat)
	}
	fmt.Fprintf(&b, ": all %d Ready in %s; %d writes until then, %d in the %s after; %.1f CPU s; peak RSS %d MiB",
		m.n, m.toReady.Round(100*time.Millisecond), m.untilReady.total(), m.after.total(), m.afterWindow, m.cpu.Seconds(), m.peakRSS>>20)
	if r := m.restart; r != nil {
		reconciles := strconv.Itoa(r.reconciles.total())
		if other := r.reconciles.notSuccess(); other != "" {
			reconciles += " (" + other + ")"
		}
		fmt.Fprintf(&b, "; restarted: %s reconciles in %s, %d reads (%s), %d writes, %.1f CPU s, peak RSS %d MiB",
			reconciles, r.took.Round(100*time.Millisecond), r.reads.total(), r.reads, r.writes.total(), r.cpu.Seconds(), r.peakRSS>>20)
	}
	return b.String()
}

// checkOKT fails unless, at every run of okt, its writes until Ready are
// its creates plus at most two status writes per custom resource
// (Progressing, then Ready), at most one Event per custom resource (the one
// of the reconcile that created its objects, counted until Ready and after),
// it wrote nothing once all were Ready (but such Events sent late), and
// nothing after a restart (with -restart).
func checkOKT(cfg config, results []measure) error {
	var failures []string
	for _, m := range results {
		if m.controller != "okt" {
			continue
		}
		var problems []string
		if got, want := m.untilReady.creates, 3*m.n; got != want {
			problems = append(problems, fmt.Sprintf("%d creates, want %d (3 per custom resource)", got, want))
		}
		if m.untilReady.status > 2*m.n || m.untilReady.status < m.n {
			problems = append(problems, fmt.Sprintf("%d status writes (%d of them answered 409 Conflict), want between %d and %d (Progressing, then Ready)",
				m.untilReady.status, m.untilReady.statusConflicts, m.n, 2*m.n))
		}
		// client-go sends Events from a queue of its own: the Event of a
		// reconcile before Ready may reach the API server after it. So the
		// Events are counted over the whole run: any Event of a reconcile
		// after Ready would be one more than one per custom resource.
		if events := m.untilReady.events + m.after.events; events > m.n {
			problems = append(problems, fmt.Sprintf("%d Events (%d of them after Ready), want at most %d (one per reconcile that changed something)", events, m.after.events, m.n))
		}
		if m.untilReady.updates != 0 || m.untilReady.crMeta != 0 || m.untilReady.other != 0 {
			problems = append(problems, fmt.Sprintf("%d updates of owned objects, %d writes of the custom resources' metadata, %d other writes: want none",
				m.untilReady.updates, m.untilReady.crMeta, m.untilReady.other))
		}
		if m.after.withoutEvents() != 0 {
			problems = append(problems, fmt.Sprintf("%d writes once all were Ready, want 0: %s", m.after.withoutEvents(), m.after))
		}
		if cfg.restart && m.restart == nil {
			problems = append(problems, "no restart measured")
		}
		if m.restart != nil && m.restart.writes.total() != 0 {
			problems = append(problems, fmt.Sprintf("%d writes after a restart against %d Ready custom resources, want 0: %s", m.restart.writes.total(), m.n, m.restart.writes))
		}
		if len(problems) > 0 {
			failures = append(failures, fmt.Sprintf("N=%d, run %d: %s", m.n, m.run, strings.Join(problems, "; ")))
		}
	}
	if len(failures) > 0 {
		return fmt.Errorf("okt did not send the minimum writes:\n  %s", strings.Join(failures, "\n  "))
	}
	msg := "benchcompare: okt sent the minimum writes at every run: one create per object, its status writes, at most one Event per custom resource, none once Ready (but Events sent late)"
	if cfg.restart {
		msg += ", none after a restart"
	}
	fmt.Println(msg)
	return nil
}

// operator is one process of the bench binary.
type operator struct {
	cmd     *exec.Cmd
	log     *os.File
	started time.Time
	exited  chan error
}

func startOperator(cfg config, name, kubeconfig, logPath string, extra ...string) (*operator, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	args := []string{"--controller", name, "--zap-log-level", "info"}
	if cfg.syncPeriod > 0 {
		args = append(args, "--sync-period", cfg.syncPeriod.String())
	}
	args = append(args, extra...)
	cmd := exec.Command(cfg.operator, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	o := &operator{cmd: cmd, log: logFile, exited: make(chan error, 1)}
	o.started = time.Now()
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("cannot start %s: %w", cfg.operator, err)
	}
	go func() { o.exited <- cmd.Wait() }()
	return o, nil
}

// stop sends SIGTERM and waits for the process (30 s, then SIGKILL).
func (o *operator) stop() error {
	defer o.log.Close()
	_ = o.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-o.exited:
		o.exited <- err
		return err
	case <-time.After(30 * time.Second):
		_ = o.cmd.Process.Kill()
		err := <-o.exited
		o.exited <- err
		return fmt.Errorf("the controller did not stop within 30 s of SIGTERM: killed; %w", err)
	}
}

// stopClean stops the process and fails unless it exited 0.
func (o *operator) stopClean() error {
	if err := o.stop(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return err
		}
		return fmt.Errorf("the controller failed on SIGTERM: %v; the end of its log:\n%s", err, tail(o.log.Name(), 20))
	}
	return nil
}

// failed stops the process and adds the end of its log to what.
func (o *operator) failed(what error) error {
	_ = o.stop()
	return fmt.Errorf("%w; the end of its log:\n%s", what, tail(o.log.Name(), 20))
}

// usage is the CPU time and peak RSS of the exited process.
func (o *operator) usage() (cpu time.Duration, peakRSS int64) {
	if ru, ok := o.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss * 1024
	}
	return 0, 0
}

func runOne(ctx context.Context, cfg config, name string, n, run int) (m measure, err error) {
	m = measure{controller: name, n: n, run: run, afterWindow: cfg.after}
	work, err := os.MkdirTemp("", "okt-bench-"+name+"-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(work)
	if cfg.keepLogs != "" {
		prefix := name
		if cfg.scale != nil {
			prefix = fmt.Sprintf("n%d-%s", n, prefix)
		}
		if cfg.repeat > 1 {
			prefix = fmt.Sprintf("%s-run%d", prefix, run)
		}
		defer keep(cfg.keepLogs, prefix, work)
	}
	restart := cfg.restart && !isFloor(name)
	policy := filepath.Join(work, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy(cfg.restart)), 0o600); err != nil {
		return m, err
	}
	auditLog := filepath.Join(work, "audit.log")
	c, err := cluster.Start(ctx, cluster.Options{
		CRDDirectoryPaths: []string{cfg.crds},
		TempDir:           work,
		APIServerFlags: map[string]string{
			"audit-policy-file": policy,
			"audit-log-path":    auditLog,
			"audit-log-format":  "json",
			"audit-log-maxsize": "0",
		},
	})
	if err != nil {
		return m, err
	}
	defer func() {
		if stopErr := c.Stop(); stopErr != nil && err == nil {
			err = stopErr
		}
	}()
	kubeconfig, err := c.AddUser(operatorUser, "system:masters")
	if err != nil {
		return m, err
	}
	admin := c.Config()
	admin.QPS, admin.Burst = -1, 0
	dyn, err := dynamic.NewForConfig(admin)
	if err != nil {
		return m, err
	}
	if err := createWebs(ctx, dyn, n); err != nil {
		return m, err
	}

	ready := &readyCounter{want: n, all: make(chan struct{})}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := ready.watch(watchCtx, dyn); err != nil {
		return m, err
	}

	logPath := filepath.Join(work, "operator.log")
	op, err := startOperator(cfg, name, kubeconfig, logPath)
	if err != nil {
		return m, err
	}
	start := op.started
	select {
	case <-ready.all:
		m.toReady = time.Since(start)
	case err := <-op.exited:
		op.exited <- err
		return m, op.failed(fmt.Errorf("the controller exited before all were Ready (%d of %d): %v", ready.count(), n, err))
	case <-time.After(cfg.readyBound):
		return m, op.failed(fmt.Errorf("only %d of %d Ready after %s", ready.count(), n, cfg.readyBound))
	case <-ctx.Done():
		return m, op.failed(ctx.Err())
	}
	readyAt := start.Add(m.toReady)
	select {
	case <-time.After(cfg.after):
	case err := <-op.exited:
		op.exited <- err
		return m, op.failed(fmt.Errorf("the controller exited in the window after Ready: %v", err))
	case <-ctx.Done():
		return m, op.failed(ctx.Err())
	}
	end := time.Now()
	if err := op.stopClean(); err != nil {
		return m, err
	}
	m.cpu, m.peakRSS = op.usage()

	var restartStart, restartEnd time.Time
	if restart {
		if m.restart, err = restartOne(ctx, cfg, name, n, kubeconfig, logPath); err != nil {
			return m, fmt.Errorf("restart: %w", err)
		}
		restartStart, restartEnd = m.restart.started, m.restart.stopped
	}

	requests, err := readAudit(auditLog, operatorUser)
	if err != nil {
		return m, err
	}
	m.untilReady, m.after, m.series = tally(requests, start, readyAt, end)
	if m.restart != nil {
		m.restart.reads, m.restart.writes = tallyRestart(requests, restartStart, restartEnd)
	}
	return m, nil
}

// restartOne starts the controller again against the n Ready Webs, with its
// metrics served on a free port, and stops it as soon as its reconciles add
// up to n.
func restartOne(ctx context.Context, cfg config, name string, n int, kubeconfig, logPath string) (*restartMeasure, error) {
	addr, err := freeAddress()
	if err != nil {
		return nil, err
	}
	op, err := startOperator(cfg, name, kubeconfig, logPath, "--metrics-bind-address", addr)
	if err != nil {
		return nil, err
	}
	r := &restartMeasure{started: op.started}
	url := "http://" + addr + "/metrics"
	deadline := time.After(cfg.readyBound)
	tick := time.NewTicker(metricsPoll)
	defer tick.Stop()
	var lastErr error
	for r.reconciles.total() < n {
		select {
		case <-tick.C:
		case err := <-op.exited:
			op.exited <- err
			return nil, op.failed(fmt.Errorf("the controller exited after %d reconciles of %d: %v", r.reconciles.total(), n, err))
		case <-deadline:
			return nil, op.failed(fmt.Errorf("%d reconciles of %d after %s (last error reading its metrics: %v)", r.reconciles.total(), n, cfg.readyBound, lastErr))
		case <-ctx.Done():
			return nil, op.failed(ctx.Err())
		}
		got, err := reconciles(ctx, url, metricsName[name])
		if err != nil {
			lastErr = err
			var wrong *wrongController
			if errors.As(err, &wrong) {
				return nil, op.failed(err)
			}
			continue // not serving yet
		}
		r.reconciles = got
	}
	r.took = time.Since(op.started)
	r.stopped = time.Now()
	if err := op.stopClean(); err != nil {
		return nil, err
	}
	r.cpu, r.peakRSS = op.usage()
	return r, nil
}

// metricsPoll is how often the harness reads the restarted controller's
// metrics: the resolution of the time to reconcile all.
const metricsPoll = 100 * time.Millisecond

// freeAddress returns a local address no one listens on now.
func freeAddress() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// auditPolicy logs the controller's writes and, with reads (for -restart),
// its get, list and watch requests, at the Metadata level; nothing else.
func auditPolicy(reads bool) string {
	verbs := `"create", "update", "patch", "delete", "deletecollection"`
	if reads {
		verbs += `, "get", "list", "watch"`
	}
	return `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  users: ["` + operatorUser + `"]
  verbs: [` + verbs + `]
- level: None
`
}

// createWebs creates n Webs in the namespace default, 16 at a time.
func createWebs(ctx context.Context, dyn dynamic.Interface, n int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > n {
					return
				}
				web := &unstructured.Unstructured{}
				web.SetAPIVersion(webGVR.GroupVersion().String())
				web.SetKind("Web")
				web.SetName(fmt.Sprintf("web-%05d", i))
				// Required since kubebuilder v4.16's go/v4 (spec has no omitempty).
				web.Object["spec"] = map[string]any{}
				if _, err := dyn.Resource(webGVR).Namespace("default").Create(ctx, web, metav1.CreateOptions{}); err != nil {
					errs <- fmt.Errorf("cannot create %s: %w", web.GetName(), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// readyCounter counts the Webs whose Ready condition is True, from a watch.
type readyCounter struct {
	want  int
	mu    sync.Mutex
	ready map[string]bool
	all   chan struct{}
	done  bool
}

func (r *readyCounter) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.ready)
}

func (r *readyCounter) set(obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ready == nil {
		r.ready = map[string]bool{}
	}
	if isReady(u) {
		r.ready[u.GetName()] = true
	} else {
		delete(r.ready, u.GetName())
	}
	if len(r.ready) == r.want && !r.done {
		r.done = true
		close(r.all)
	}
}

func isReady(u *unstructured.Unstructured) bool {
	conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
	for _, c := range conditions {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Ready" {
			return m["status"] == "True"
		}
	}
	return false
}

func (r *readyCounter) watch(ctx context.Context, dyn dynamic.Interface) error {
	lw := &cache.ListWatch{
		ListFunc: func(o metav1.ListOptions) (runtime.Object, error) {
			return dyn.Resource(webGVR).Namespace("default").List(ctx, o)
		},
		WatchFunc: func(o metav1.ListOptions) (watch.Interface, error) {
			return dyn.Resource(webGVR).Namespace("default").Watch(ctx, o)
		},
	}
	_, informer := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: lw,
		ObjectType:    &unstructured.Unstructured{},
		Handler: cache.ResourceEventHandlerFuncs{
			AddFunc:    r.set,
			UpdateFunc: func(_, obj any) { r.set(obj) },
		},
	})
	go informer.Run(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), informer.HasSynced) {
		return errors.New("the watch of the Webs did not sync")
	}
	return nil
}

// keep copies the controller's log and the audit log of a run into dir.
func keep(dir, name, work string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "benchcompare:", err)
		return
	}
	for _, f := range []string{"operator.log", "audit.log"} {
		data, err := os.ReadFile(filepath.Join(work, f))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+"-"+f), data, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchcompare:", err)
		}
	}
}

func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// isFloor reports whether name is a floor (no controller, no restart).
func isFloor(name string) bool { return name == "floor" || name == "floor-apply" }
