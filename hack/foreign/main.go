// Command foreign is issue 18's first acceptance test, run as a user would:
// an operator scaffolded by the okt CLI owns a ServiceMonitor, a custom
// resource of the Prometheus Operator for which the project has no Go type
// (`okt create resource --from servicemonitor.yaml`). On the local cluster,
// with the ServiceMonitor's CRD installed, the operator, built and run as a
// process, must:
//
//   - create the ServiceMonitor and get its custom resource Ready;
//   - send no write while reconciles find everything as it should be;
//   - set back a field another writer changed, in one write;
//   - follow the ServiceMonitor's own conditions in its Ready condition;
//   - remove a field the builder no longer declares, once rebuilt.
//
// Writes are counted by the operator's okt_writes_total metric.
//
//	go run ./hack/foreign -okt bin/okt -library .
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/okt-dev/okt/okt/cluster"
)

var monitorGVK = schema.GroupVersionKind{Group: "monitoring.coreos.com", Version: "v1", Kind: "ServiceMonitor"}

func main() {
	oktBin := flag.String("okt", "bin/okt", "the okt CLI to scaffold with")
	library := flag.String("library", ".", "the local checkout of the okt library")
	keep := flag.Bool("keep", false, "keep the scaffolded project")
	timeout := flag.Duration("timeout", 15*time.Minute, "give up after this long")
	flag.Parse()
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *oktBin, *library, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "foreign: FAILED:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) { fmt.Printf("==> "+format+"\n", args...) }

func run(ctx context.Context, oktBin, library string, keep bool) error {
	oktBin, err := filepath.Abs(oktBin)
	if err != nil {
		return err
	}
	library, err = filepath.Abs(library)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "okt-foreign-")
	if err != nil {
		return err
	}
	if keep {
		defer fmt.Println("project kept in", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	project := filepath.Join(tmp, "memcached-operator")
	if err := os.Mkdir(project, 0o755); err != nil {
		return err
	}

	step("scaffolding an operator that owns a ServiceMonitor, without the Prometheus Operator's Go module")
	okt := func(args ...string) error { return command(ctx, project, oktBin, args...) }
	if err := okt("init", "--domain", "example.com", "--repo", "example.com/memcached-operator", "--okt-path", library); err != nil {
		return err
	}
	if err := okt("create", "api", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached", "--resource", "--controller"); err != nil {
		return err
	}
	if err := okt("create", "resource", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached",
		"--name", "metrics", "--from", filepath.Join(library, "hack", "testdata", "servicemonitor.yaml")); err != nil {
		return err
	}
	if err := command(ctx, project, "make", "manifests", "generate"); err != nil {
		return err
	}
	build := func() error { return command(ctx, project, "go", "build", "-o", "bin/manager", "./cmd") }
	if err := build(); err != nil {
		return err
	}

	step("starting the local cluster with the project's CRDs and the ServiceMonitor's")
	lc, err := cluster.Start(ctx, cluster.Options{CRDDirectoryPaths: []string{
		filepath.Join(project, "config", "crd", "bases"),
		filepath.Join(library, "hack", "testdata", "servicemonitor-crd.yaml"),
	}})
	if err != nil {
		return fmt.Errorf("cannot start the local cluster: %w", err)
	}
	defer func() {
		if err := lc.Stop(); err != nil {
			fmt.Println("    ", err)
		}
	}()
	c, err := client.New(lc.Config(), client.Options{})
	if err != nil {
		return err
	}

	mgr, err := startManager(ctx, project, lc.KubeconfigPath())
	if err != nil {
		return err
	}
	defer func() { mgr.stop() }()

	step("applying the sample Memcached")
	data, err := os.ReadFile(filepath.Join(project, "config", "samples", "cache_v1alpha1_memcached.yaml"))
	if err != nil {
		return err
	}
	sample := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &sample.Object); err != nil {
		return err
	}
	sample.SetNamespace("default")
	if spec, ok := sample.Object["spec"].(map[string]any); !ok || spec == nil {
		sample.Object["spec"] = map[string]any{}
	}
	if err := c.Create(ctx, sample); err != nil {
		return err
	}
	key := types.NamespacedName{Namespace: "default", Name: sample.GetName()}
	monitorKey := types.NamespacedName{Namespace: "default", Name: sample.GetName() + "-metrics"}
	monitor := func() (*unstructured.Unstructured, error) {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(monitorGVK)
		return u, c.Get(ctx, monitorKey, u)
	}
	ready := func(status string, why string) error {
		return waitUntil(ctx, mgr, 2*time.Minute, func() (bool, string, error) {
			cur := sample.DeepCopy()
			if err := c.Get(ctx, key, cur); err != nil {
				return false, "", err
			}
			s, reason, msg := readyOf(cur)
			return s == status && strings.Contains(msg, why), fmt.Sprintf("Ready=%s reason=%s message=%q", s, reason, msg), nil
		})
	}

	step("the ServiceMonitor is created, and %s is Ready (a ServiceMonitor without conditions is ready once it exists)", key)
	if err := ready("True", ""); err != nil {
		return err
	}
	m, err := monitor()
	if err != nil {
		return fmt.Errorf("the ServiceMonitor %s: %w", monitorKey, err)
	}
	fmt.Printf("    %s %s, labels %v, owner %s\n", m.GetKind(), monitorKey, m.GetLabels(), m.GetOwnerReferences()[0].Name)

	step("steady state: reconciles brought by edits of the Memcached's labels send no write")
	before, err := mgr.writes()
	if err != nil {
		return err
	}
	for i := range 3 {
		patch := client.RawPatch(types.MergePatchType, []byte(fmt.Sprintf(`{"metadata":{"labels":{"touch":"%d"}}}`, i)))
		if err := c.Patch(ctx, sample.DeepCopy(), patch); err != nil {
			return err
		}
		time.Sleep(time.Second)
	}
	time.Sleep(2 * time.Second)
	after, err := mgr.writes()
	if err != nil {
		return err
	}
	if after != before {
		return fmt.Errorf("the steady state sent %v writes (okt_writes_total %v -> %v)", after-before, before, after)
	}
	fmt.Printf("    0 writes over 3 reconciles (okt_writes_total stays %v)\n", after)

	step("another writer changes the ServiceMonitor's interval: set back in one write")
	edit := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
		"metadata": map[string]any{"name": monitorKey.Name, "namespace": monitorKey.Namespace},
		"spec": map[string]any{"endpoints": []any{map[string]any{"port": "metrics", "interval": "5s",
			"relabelings": []any{map[string]any{"sourceLabels": []any{"__meta_kubernetes_pod_name"}, "targetLabel": "pod"}}}}},
	}}
	before, _ = mgr.writes()
	if err := c.Patch(ctx, edit, client.Merge, client.FieldOwner("kubectl-edit")); err != nil {
		return err
	}
	if err := waitUntil(ctx, mgr, time.Minute, func() (bool, string, error) {
		m, err := monitor()
		if err != nil {
			return false, "", err
		}
		eps, _, _ := unstructured.NestedSlice(m.Object, "spec", "endpoints")
		interval := ""
		if len(eps) == 1 {
			interval, _ = eps[0].(map[string]any)["interval"].(string)
		}
		return interval == "30s", "interval " + interval, nil
	}); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	after, _ = mgr.writes()
	if after-before != 1 {
		return fmt.Errorf("the correction took %v writes, want 1", after-before)
	}
	fmt.Println("    interval 30s again, in 1 write")

	step("Ready follows the ServiceMonitor's own conditions")
	setStatus := func(status, reason, message string) error {
		m, err := monitor()
		if err != nil {
			return err
		}
		cond := map[string]any{"type": "Ready", "status": status, "reason": reason, "message": message,
			"lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
		if err := unstructured.SetNestedSlice(m.Object, []any{cond}, "status", "conditions"); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(m.Object, m.GetGeneration(), "status", "observedGeneration"); err != nil {
			return err
		}
		return c.Status().Update(ctx, m, client.FieldOwner("prometheus-operator"))
	}
	if err := setStatus("False", "NotSelected", "no Prometheus selects it"); err != nil {
		return err
	}
	if err := ready("False", "ServiceMonitor "+monitorKey.Name); err != nil {
		return err
	}
	fmt.Println("    Ready=False while the ServiceMonitor's Ready is False, naming it")
	if err := setStatus("True", "Selected", ""); err != nil {
		return err
	}
	if err := ready("True", ""); err != nil {
		return err
	}
	fmt.Println("    Ready=True again once the ServiceMonitor's Ready is True")

	step("the builder no longer declares the release label: rebuilt and restarted, the operator removes it")
	builder := filepath.Join(project, "internal", "controller", "memcached_metrics_servicemonitor.go")
	src, err := os.ReadFile(builder)
	if err != nil {
		return err
	}
	lines := strings.Split(string(src), "\n")
	var kept []string
	removed := 0
	for i, l := range lines {
		t := strings.TrimSpace(l)
		// The labels: mapping of metadata and its one entry.
		if t == "release: prometheus" || (t == "labels:" && i+1 < len(lines) && strings.TrimSpace(lines[i+1]) == "release: prometheus") {
			removed++
			continue
		}
		kept = append(kept, l)
	}
	if removed != 2 {
		return fmt.Errorf("cannot find the release label in %s (found %d of its 2 lines)", builder, removed)
	}
	if err := os.WriteFile(builder, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		return err
	}
	mgr.stop()
	if err := build(); err != nil {
		return err
	}
	if mgr, err = startManager(ctx, project, lc.KubeconfigPath()); err != nil {
		return err
	}
	if err := waitUntil(ctx, mgr, time.Minute, func() (bool, string, error) {
		m, err := monitor()
		if err != nil {
			return false, "", err
		}
		_, has := m.GetLabels()["release"]
		return !has, fmt.Sprintf("labels %v", m.GetLabels()), nil
	}); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	n, err := mgr.writes()
	if err != nil {
		return err
	}
	if n != 1 {
		return fmt.Errorf("the restarted operator sent %v writes, want 1 (the apply without the label)", n)
	}
	fmt.Println("    the release label is gone, in 1 write")
	step("foreign kind end to end: passed")
	return nil
}

// manager is the operator, run as a process.
type manager struct {
	cmd     *exec.Cmd
	metrics string
	exited  chan error
	logs    *syncBuffer
	once    sync.Once
}

func startManager(ctx context.Context, project, kubeconfig string) (*manager, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	_ = l.Close()
	m := &manager{metrics: "http://" + addr + "/metrics", exited: make(chan error, 1), logs: &syncBuffer{}}
	m.cmd = exec.CommandContext(ctx, filepath.Join(project, "bin", "manager"),
		"--metrics-bind-address="+addr, "--metrics-secure=false", "--health-probe-bind-address=0")
	m.cmd.Dir = project
	m.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	m.cmd.Stdout, m.cmd.Stderr = m.logs, m.logs
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { m.exited <- m.cmd.Wait() }()
	fmt.Printf("    manager started (pid %d, metrics on %s)\n", m.cmd.Process.Pid, addr)
	return m, nil
}

func (m *manager) stop() {
	m.once.Do(func() {
		_ = m.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-m.exited:
		case <-time.After(10 * time.Second):
			_ = m.cmd.Process.Kill()
			<-m.exited
		}
	})
}

// writes returns the sum of the operator's okt_writes_total counters.
func (m *manager) writes() (float64, error) {
	resp, err := http.Get(m.metrics)
	if err != nil {
		return 0, fmt.Errorf("cannot read the operator's metrics: %w", err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "okt_writes_total{") {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
		if err != nil {
			return 0, err
		}
		sum += v
	}
	return sum, sc.Err()
}

// waitUntil polls cond every 200 ms until it holds, the manager exits, or
// timeout passes; the error then says what cond saw last and shows the
// manager's log.
func waitUntil(ctx context.Context, m *manager, timeout time.Duration, cond func() (bool, string, error)) error {
	deadline := time.Now().Add(timeout)
	last := ""
	for {
		ok, what, err := cond()
		if err == nil && ok {
			return nil
		}
		if err != nil {
			what = err.Error()
		}
		last = what
		select {
		case err := <-m.exited:
			fmt.Print(m.logs.String())
			return fmt.Errorf("the operator exited (%v); last seen: %s", err, last)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fmt.Print(m.logs.String())
			return fmt.Errorf("not so after %s; last seen: %s", timeout, last)
		}
	}
}

func readyOf(obj *unstructured.Unstructured) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] == "Ready" {
			status, _ = m["status"].(string)
			reason, _ = m["reason"].(string)
			message, _ = m["message"].(string)
		}
	}
	return status, reason, message
}

func command(ctx context.Context, dir, name string, args ...string) error {
	fmt.Printf("    $ %s %s\n", filepath.Base(name), strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		_, _ = io.Copy(os.Stdout, &out)
		return fmt.Errorf("%s %s: %w", filepath.Base(name), strings.Join(args, " "), err)
	}
	return nil
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
