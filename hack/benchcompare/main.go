// Command benchcompare runs controllers of the same custom resource, each
// alone on a fresh local cluster (package okt/cluster), and measures from
// outside: the time until every custom resource is Ready, the write requests
// the controller sent until then and in a window after (from the API
// server's audit log, which names the controller's user), its CPU seconds
// and its peak RSS (from the kernel's accounting of its process).
//
// hack/bench-compare.sh builds the controllers and runs it; see there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
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
	after       time.Duration
	controllers []string
	syncPeriod  time.Duration
	out         string
	check       bool
	readyBound  time.Duration
	keepLogs    string
}

func main() {
	var cfg config
	var controllers string
	flag.StringVar(&cfg.operator, "operator", "", "the controller binary (cmd/bench of the scaffolded project)")
	flag.StringVar(&cfg.crds, "crds", "", "the folder of the Web CRD")
	flag.IntVar(&cfg.n, "n", 1000, "how many Web custom resources")
	flag.DurationVar(&cfg.after, "after", 30*time.Second, "how long to count writes once every Web is Ready")
	flag.StringVar(&controllers, "controllers", "okt,book,ssa", "the controllers to run, in order")
	flag.DurationVar(&cfg.syncPeriod, "sync-period", 0, "the manager cache's SyncPeriod, the same for all (0: controller-runtime's default, 10 hours)")
	flag.StringVar(&cfg.out, "out", "", "a folder where to write bench-compare.md, bench-compare.svg and bench-compare.csv (none if empty)")
	flag.BoolVar(&cfg.check, "check", false, "fail unless okt sends the minimum writes until Ready and none after")
	flag.DurationVar(&cfg.readyBound, "ready-bound", 30*time.Minute, "give up when the Webs are not all Ready by then")
	flag.StringVar(&cfg.keepLogs, "keep-logs", "", "a folder where to copy each controller's log and the audit log (none if empty)")
	flag.Parse()
	cfg.controllers = strings.Split(controllers, ",")
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

func (c *config) validate() error {
	if c.operator == "" || c.crds == "" {
		return errors.New("-operator and -crds are required (hack/bench-compare.sh sets them)")
	}
	if c.n < 1 {
		return fmt.Errorf("-n %d: want at least 1 custom resource", c.n)
	}
	if c.after < 0 {
		return fmt.Errorf("-after %s: want a duration of zero or more", c.after)
	}
	for _, name := range c.controllers {
		switch name {
		case "okt", "book", "ssa":
		default:
			return fmt.Errorf("-controllers: %q is not okt, book or ssa", name)
		}
	}
	return nil
}

// measure is what one controller's run gave.
type measure struct {
	controller  string
	n           int
	toReady     time.Duration
	untilReady  counts
	after       counts
	afterWindow time.Duration
	cpu         time.Duration
	peakRSS     int64 // bytes
	series      []int // write requests in each second since the controller started
}

func run(ctx context.Context, cfg config) error {
	var results []measure
	machine := machineOf()
	fmt.Printf("benchcompare: N=%d custom resources, each owning a Deployment, a Service and a ConfigMap; %s\n", cfg.n, machine)
	for _, name := range cfg.controllers {
		m, err := runOne(ctx, cfg, name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		fmt.Printf("benchcompare: %s: all %d Ready in %s; %d writes until then, %d in the %s after; %.1f CPU s; peak RSS %d MiB\n",
			name, cfg.n, m.toReady.Round(100*time.Millisecond), m.untilReady.total(), m.after.total(), cfg.after, m.cpu.Seconds(), m.peakRSS>>20)
		results = append(results, m)
	}
	table := tableOf(cfg, results)
	fmt.Println()
	fmt.Print(table)
	if cfg.out != "" {
		if err := writeOutputs(cfg, machine, table, results); err != nil {
			return err
		}
	}
	if cfg.check {
		return checkOKT(results)
	}
	return nil
}

// checkOKT fails unless okt's writes until Ready are its creates plus at
// most two status writes per custom resource (Progressing, then Ready),
// nothing else but Events, and it wrote nothing once all were Ready.
func checkOKT(results []measure) error {
	for _, m := range results {
		if m.controller != "okt" {
			continue
		}
		var problems []string
		if got, want := m.untilReady.creates, 3*m.n; got != want {
			problems = append(problems, fmt.Sprintf("%d creates, want %d (3 per custom resource)", got, want))
		}
		if m.untilReady.status > 2*m.n || m.untilReady.status < m.n {
			problems = append(problems, fmt.Sprintf("%d status writes, want between %d and %d (Progressing, then Ready)", m.untilReady.status, m.n, 2*m.n))
		}
		if m.untilReady.updates != 0 || m.untilReady.crMeta != 0 || m.untilReady.other != 0 {
			problems = append(problems, fmt.Sprintf("%d updates of owned objects, %d writes of the custom resources' metadata, %d other writes: want none",
				m.untilReady.updates, m.untilReady.crMeta, m.untilReady.other))
		}
		if m.after.total() != 0 {
			problems = append(problems, fmt.Sprintf("%d writes once all were Ready, want 0: %s", m.after.total(), m.after))
		}
		if len(problems) > 0 {
			return fmt.Errorf("okt did not send the minimum writes: %s", strings.Join(problems, "; "))
		}
		fmt.Println("benchcompare: okt sent the minimum writes: one create per object, its status writes, none once Ready")
	}
	return nil
}

func runOne(ctx context.Context, cfg config, name string) (m measure, err error) {
	m = measure{controller: name, n: cfg.n, afterWindow: cfg.after}
	work, err := os.MkdirTemp("", "okt-bench-"+name+"-")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(work)
	if cfg.keepLogs != "" {
		defer keep(cfg.keepLogs, name, work)
	}
	policy := filepath.Join(work, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
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
	if err := createWebs(ctx, dyn, cfg.n); err != nil {
		return m, err
	}

	ready := &readyCounter{want: cfg.n, all: make(chan struct{})}
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := ready.watch(watchCtx, dyn); err != nil {
		return m, err
	}

	logFile, err := os.Create(filepath.Join(work, "operator.log"))
	if err != nil {
		return m, err
	}
	defer logFile.Close()
	args := []string{"--controller", name, "--zap-log-level", "info"}
	if cfg.syncPeriod > 0 {
		args = append(args, "--sync-period", cfg.syncPeriod.String())
	}
	cmd := exec.Command(cfg.operator, args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return m, fmt.Errorf("cannot start %s: %w", cfg.operator, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopOperator := func() error {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			return err
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			return fmt.Errorf("the controller did not stop within 30 s of SIGTERM: killed; %w", <-exited)
		}
	}
	failed := func(what error) error {
		_ = stopOperator()
		return fmt.Errorf("%w; the end of its log:\n%s", what, tail(logFile.Name(), 20))
	}

	select {
	case <-ready.all:
		m.toReady = time.Since(start)
	case err := <-exited:
		exited <- err
		return m, failed(fmt.Errorf("the controller exited before all were Ready (%d of %d): %v", ready.count(), cfg.n, err))
	case <-time.After(cfg.readyBound):
		return m, failed(fmt.Errorf("only %d of %d Ready after %s", ready.count(), cfg.n, cfg.readyBound))
	case <-ctx.Done():
		return m, failed(ctx.Err())
	}
	readyAt := start.Add(m.toReady)
	select {
	case <-time.After(cfg.after):
	case err := <-exited:
		exited <- err
		return m, failed(fmt.Errorf("the controller exited in the window after Ready: %v", err))
	case <-ctx.Done():
		return m, failed(ctx.Err())
	}
	end := time.Now()
	if err := stopOperator(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return m, err
		}
		return m, fmt.Errorf("the controller failed on SIGTERM: %v; the end of its log:\n%s", err, tail(logFile.Name(), 20))
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		m.peakRSS = ru.Maxrss * 1024
	}
	writes, err := readAudit(auditLog, operatorUser)
	if err != nil {
		return m, err
	}
	m.untilReady, m.after, m.series = tally(writes, start, readyAt, end)
	return m, nil
}

const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  users: ["` + operatorUser + `"]
  verbs: ["create", "update", "patch", "delete", "deletecollection"]
- level: None
`

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
