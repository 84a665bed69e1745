// Package reliability holds okt's tests of an operator under crashes, a
// misbehaving API server and leader failover (issue 21). The operator is
// okt/internal/testoperator, built once and run as processes against the
// local cluster (package cluster), directly or through a fault-injecting
// proxy (package faultproxy).
package reliability

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/cluster"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
)

var (
	lc       *cluster.Cluster
	cfg      *rest.Config
	operator string // the test operator's binary
)

func TestMain(m *testing.M) { testenv.Main(m, run) }

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "okt-testoperator-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	operator = filepath.Join(dir, "testoperator")
	build := exec.Command("go", "build", "-o", operator, "github.com/okt-dev/okt/okt/internal/testoperator")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot build the test operator: %v\n%s", err, out)
		return 1
	}
	c, rc, err := testenv.StartCluster(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = c.Stop() }()
	lc, cfg = c, rc
	return m.Run()
}

func needCluster(t testing.TB) {
	t.Helper()
	if cfg == nil {
		t.Skip("needs the local cluster (not with -short)")
	}
}

// bound bounds every wait: the local cluster's pace on two loaded cores.
const bound = 4 * time.Minute

func newClient(t testing.TB) client.Client {
	t.Helper()
	c, err := client.New(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newNamespace(t testing.TB, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "okt-rel-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}

// proc is a test operator run as a process of its own.
type proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	metrics string
	log     *os.File
	done    chan struct{}
	err     error
	once    sync.Once
}

// start runs the test operator with kubeconfig (written to a file) and args.
func start(t testing.TB, kubeconfig string, args ...string) *proc {
	t.Helper()
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kc, []byte(kubeconfig), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	logf, err := os.CreateTemp(dir, "operator-*.log")
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{t: t, metrics: "http://" + addr + "/metrics", log: logf, done: make(chan struct{})}
	p.cmd = exec.Command(operator, append([]string{"--kubeconfig", kc, "--metrics-bind-address", addr}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lc.Adopt(p.cmd.Process.Pid)
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() || os.Getenv("OKT_TEST_OPERATOR_LOG") != "" {
			t.Logf("operator log (%s):\n%s", logf.Name(), tail(logf.Name(), 300))
		}
	})
	return p
}

// kill ends the operator with SIGKILL, as a crash would.
func (p *proc) kill() {
	p.once.Do(func() {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	})
}

// stop ends the operator with SIGTERM, SIGKILL after 10 s.
func (p *proc) stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	})
}

// metric returns the sum of the samples of a metric whose labels contain
// all of want ("kind=\"Deployment.apps\""); -1 when the endpoint does not
// answer.
func (p *proc) metric(name string, want ...string) float64 {
	resp, err := http.Get(p.metrics)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(line, w)
		}
		if !ok {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// writes returns the operator's okt_writes_total.
func (p *proc) writes() float64 { return p.metric("okt_writes_total") }

// logText returns the operator's log.
func (p *proc) logText() string {
	b, _ := os.ReadFile(p.log.Name())
	return string(b)
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// kubeconfigOf returns the local cluster's admin kubeconfig.
func kubeconfigOf(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(lc.KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// gizmos creates n Gizmos in ns, gizmo-000 to gizmo-<n-1>.
func gizmos(t testing.TB, c client.Client, ns string, n int) {
	t.Helper()
	for i := range n {
		g := &testapi.Gizmo{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("gizmo-%03d", i), Namespace: ns},
			Spec: testapi.WidgetSpec{Size: 1, Image: "app:v1", Message: "m1"}}
		if err := c.Create(context.Background(), g); err != nil {
			t.Fatal(err)
		}
	}
}

// readyCount returns how many Gizmos of ns are Ready for their generation.
func readyCount(t testing.TB, c client.Client, ns string) (ready, total int) {
	t.Helper()
	list := &testapi.GizmoList{}
	if err := c.List(context.Background(), list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	for _, g := range list.Items {
		if r := meta.FindStatusCondition(g.Status.Conditions, okt.ConditionReady); r != nil &&
			r.Status == metav1.ConditionTrue && r.ObservedGeneration == g.Generation {
			ready++
		}
	}
	return ready, len(list.Items)
}

// waitFor polls cond every 100 ms until it holds; it fails t after bound.
func waitFor(t testing.TB, what string, p *proc, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if p != nil {
			select {
			case <-p.done:
				t.Fatalf("%s: the operator exited (%v); %s", what, p.err, state)
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after %s; %s", what, bound, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// quiet checks that the operator sends no write for d.
func quiet(t testing.TB, p *proc, d time.Duration) {
	t.Helper()
	before := p.writes()
	time.Sleep(d)
	if after := p.writes(); after != before || before < 0 {
		t.Errorf("the operator wrote %v times in the %s after convergence (okt_writes_total %v -> %v)", after-before, d, before, after)
	}
}

// owned checks that each Gizmo of ns owns exactly its three objects, with
// the wanted image and message, that no object is an orphan or a
// duplicate, and that each inventory lists exactly its objects.
func owned(t testing.TB, c client.Client, ns string, image func(name string) string, message func(name string) string) {
	t.Helper()
	ctx := context.Background()
	list := &testapi.GizmoList{}
	if err := c.List(ctx, list, client.InNamespace(ns)); err != nil {
		t.Fatal(err)
	}
	byUID := map[string]*testapi.Gizmo{}
	for i := range list.Items {
		byUID[string(list.Items[i].UID)] = &list.Items[i]
	}
	type obj struct{ kind, name, uid, owner string }
	var objs []obj
	deps := &appsv1.DeploymentList{}
	svcs := &corev1.ServiceList{}
	cms := &corev1.ConfigMapList{}
	for _, l := range []client.ObjectList{deps, svcs, cms} {
		if err := c.List(ctx, l, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
	}
	add := func(kind string, o metav1.Object) {
		owner := ""
		if ref := metav1.GetControllerOf(o); ref != nil {
			owner = string(ref.UID)
		}
		objs = append(objs, obj{kind, o.GetName(), string(o.GetUID()), owner})
	}
	for i := range deps.Items {
		d := &deps.Items[i]
		add("Deployment", d)
		if g := byUID[ownerUID(d)]; g != nil {
			if got := d.Spec.Template.Spec.Containers[0].Image; got != image(g.Name) {
				t.Errorf("Deployment %s: image %q, want %q", d.Name, got, image(g.Name))
			}
		}
	}
	for i := range svcs.Items {
		add("Service", &svcs.Items[i])
	}
	for i := range cms.Items {
		cm := &cms.Items[i]
		if cm.Name == "kube-root-ca.crt" {
			continue
		}
		add("ConfigMap", cm)
		if g := byUID[ownerUID(cm)]; g != nil && cm.Data["message"] != message(g.Name) {
			t.Errorf("ConfigMap %s: message %q, want %q", cm.Name, cm.Data["message"], message(g.Name))
		}
	}
	owns := map[string]map[string]int{}
	for _, o := range objs {
		g := byUID[o.owner]
		if g == nil {
			t.Errorf("%s %s is an orphan (controller %q)", o.kind, o.name, o.owner)
			continue
		}
		if owns[o.owner] == nil {
			owns[o.owner] = map[string]int{}
		}
		owns[o.owner][o.kind]++
	}
	for uid, g := range byUID {
		for _, k := range []string{"Deployment", "Service", "ConfigMap"} {
			if n := owns[uid][k]; n != 1 {
				t.Errorf("Gizmo %s owns %d %s(s), want 1", g.Name, n, k)
			}
		}
		if len(g.Status.Inventory) != 3 {
			t.Errorf("Gizmo %s: inventory %v, want its 3 objects", g.Name, g.Status.Inventory)
		}
		for _, e := range g.Status.Inventory {
			found := false
			for _, o := range objs {
				found = found || (o.kind == e.Kind && o.name == e.Name && o.uid == string(e.UID) && o.owner == uid)
			}
			if !found {
				t.Errorf("Gizmo %s: inventory entry %s matches none of its objects", g.Name, e)
			}
		}
	}
}

func ownerUID(o metav1.Object) string {
	if ref := metav1.GetControllerOf(o); ref != nil {
		return string(ref.UID)
	}
	return ""
}

func getenv(k string) string { return os.Getenv(k) }
