package e2elocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/okt-dev/okt/okt/cluster"
)

// The local e2e tests run the manager, built from this project, as a process
// against okt's local cluster: etcd and kube-apiserver (envtest),
// kube-controller-manager, kube-scheduler and kwok fake nodes, so that
// Deployments and StatefulSets get Pods that are Running and Ready (kwok
// fakes their lifecycle: no container runs). No Docker, Kind or network is
// needed. The cluster's binaries are taken from KUBEBUILDER_ASSETS when that
// folder holds them all, else from okt's cache: `make cluster-assets` in the
// okt checkout builds them. Run the tests with `make test-e2e-local`.

var (
	// projectDir is the root folder of the project.
	projectDir string
	// testCluster is the local cluster the manager runs against.
	testCluster *cluster.Cluster
	// k8sClient is a client of the cluster's admin.
	k8sClient client.Client
	// manager is the manager's process.
	manager *managerProcess
)

// TestE2ELocal runs the local end-to-end test suite.
func TestE2ELocal(t *testing.T) {
	RegisterFailHandler(Fail)
	_, _ = fmt.Fprintf(GinkgoWriter, "Starting project-v3 local e2e test suite\n")
	RunSpecs(t, "e2e-local suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(GinkgoLogr)

	var err error
	projectDir, err = filepath.Abs(filepath.Join("..", ".."))
	Expect(err).NotTo(HaveOccurred())

	By("building the manager")
	binary := filepath.Join(projectDir, "bin", "manager")
	build := exec.Command("go", "build", "-o", binary, "./cmd")
	build.Dir = projectDir
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "go build failed:\n%s", out)

	By("starting the local cluster with the project's CRDs")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	testCluster, err = cluster.Start(ctx, cluster.Options{
		CRDDirectoryPaths: []string{filepath.Join(projectDir, "config", "crd", "bases")},
	})
	Expect(err).NotTo(HaveOccurred(), "cannot start the local cluster")
	DeferCleanup(func() {
		By("stopping the local cluster")
		Expect(testCluster.Stop()).To(Succeed())
	})

	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	k8sClient, err = client.New(testCluster.Config(), client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	By("running the manager against the local cluster")
	manager, err = startManager(binary, testCluster.KubeconfigPath())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		By("stopping the manager")
		Expect(manager.stop()).To(Succeed())
	})
})

// After a failed spec, the manager's log tells what it did.
var _ = AfterEach(func() {
	if CurrentSpecReport().Failed() && manager != nil {
		_, _ = fmt.Fprintf(GinkgoWriter, "The manager's log (%s):\n%s\n", manager.logPath, manager.log())
	}
})

// managerProcess is the manager, run as a child process, its output in a
// log file.
type managerProcess struct {
	cmd     *exec.Cmd
	logDir  string
	logPath string
	done    chan struct{} // closed when the process has ended
	err     error         // why it ended, once done is closed
}

// startManager runs the manager binary with the kubeconfig, without the
// metrics and health probe servers (no port to choose).
func startManager(binary, kubeconfig string) (*managerProcess, error) {
	dir, err := os.MkdirTemp("", "e2e-local-manager-")
	if err != nil {
		return nil, err
	}
	m := &managerProcess{logDir: dir, logPath: filepath.Join(dir, "manager.log"), done: make(chan struct{})}
	logFile, err := os.Create(m.logPath)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	m.cmd = exec.Command(binary, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	m.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	m.cmd.Stdout, m.cmd.Stderr = logFile, logFile
	// A process group of its own, which the cluster's watchdog kills if this
	// test process dies (even killed with SIGKILL): no manager left behind.
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		_ = logFile.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot start the manager: %w", err)
	}
	testCluster.Adopt(m.cmd.Process.Pid, dir)
	go func() {
		m.err = m.cmd.Wait()
		_ = logFile.Close()
		close(m.done)
	}()
	return m, nil
}

// log returns the manager's output so far.
func (m *managerProcess) log() string {
	b, err := os.ReadFile(m.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	return string(b)
}

// exited returns an error, with the manager's log, once the manager has
// ended; nil while it runs.
func (m *managerProcess) exited() error {
	select {
	case <-m.done:
		return fmt.Errorf("the manager has exited (%v); its log:\n%s", m.err, m.log())
	default:
		return nil
	}
}

// stop sends SIGTERM to the manager and waits for it to end (it is killed
// after 30 seconds), then removes its log.
func (m *managerProcess) stop() error {
	defer func() { _ = os.RemoveAll(m.logDir) }()
	select {
	case <-m.done:
		return nil // it ended early: the specs have reported it
	default:
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = m.cmd.Process.Kill()
	}
	select {
	case <-m.done:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
		return fmt.Errorf("the manager did not stop within 30s of SIGTERM and was killed; its log:\n%s", m.log())
	}
	if m.err != nil {
		return fmt.Errorf("the manager failed on SIGTERM (%v); its log:\n%s", m.err, m.log())
	}
	return nil
}
