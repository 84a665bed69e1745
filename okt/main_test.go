package okt_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/internal/testenv"
)

// cfg is the configuration of the local cluster (package cluster: a real
// kube-apiserver, controllers, scheduler and fake nodes, so workloads get
// ready) shared by the tests of this package; nil under -short, where the
// tests that need it are skipped.
var cfg *rest.Config

// binDir is the folder of the local cluster's binaries, for tests that start
// a control plane of their own.
var binDir string

// logDir is the folder of the local cluster's component logs, quoted when a
// wait on its controllers fails (testenv.DescribeStuck).
var logDir string

func TestMain(m *testing.M) { testenv.Main(m, run) }

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	cl, c, err := testenv.StartCluster(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = cl.Stop() }()
	cfg, binDir, logDir = c, cl.BinaryDir(), cl.LogDir()
	return m.Run()
}

// waitBound bounds every wait for the local cluster's controllers (a
// rollout, a claim bound): they take a second or two, far more on a loaded
// machine (CI builds while it tests). A bound, never a timed assertion.
const waitBound = 3 * time.Minute

// stuck says where the workloads of namespace ns stand, for a wait on the
// local cluster's controllers that failed.
func stuck(ns string) string {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err.Error()
	}
	return testenv.DescribeStuck(context.Background(), cs, ns, logDir)
}

// needCluster skips t under -short.
func needCluster(t testing.TB) {
	t.Helper()
	if cfg == nil {
		t.Skip("needs the control plane (not with -short)")
	}
}

// newClients returns a direct client that counts its requests, and a plain
// one for the test's own reads and edits.
func newClients(t testing.TB) (counted client.Client, counter *testenv.Counter, plain client.Client) {
	t.Helper()
	counter = &testenv.Counter{}
	var err error
	counted, err = client.New(counter.Wrap(cfg), client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	plain, err = client.New(cfg, client.Options{Scheme: testenv.Scheme()})
	if err != nil {
		t.Fatal(err)
	}
	return counted, counter, plain
}

// newNamespace creates a namespace for one test.
func newNamespace(t testing.TB, c client.Client) string {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "okt-test-"}}
	if err := c.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns.Name
}
