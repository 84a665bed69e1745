package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// clusterArgsEnv makes TestClusterCommandProcess run `okt cluster` with the
// arguments it holds (separated by newlines).
const clusterArgsEnv = "OKT_TEST_CLUSTER_ARGS"

// TestClusterCommandProcess is not a test of its own: TestClusterCommand
// runs this test binary with clusterArgsEnv set, to run the command as okt
// would in a process of its own.
func TestClusterCommandProcess(t *testing.T) {
	args, ok := os.LookupEnv(clusterArgsEnv)
	if !ok {
		t.Skip("run by TestClusterCommand")
	}
	cmd := newClusterCommand()
	cmd.SetArgs(strings.Split(args, "\n"))
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}

// runClusterCommand starts `okt cluster args...` in a process of its own.
func runClusterCommand(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestClusterCommandProcess$")
	cmd.Env = append(os.Environ(), clusterArgsEnv+"="+strings.Join(args, "\n"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, bufio.NewScanner(stdout), stderr
}

// TestClusterCommand: okt cluster starts, writes a kubeconfig with which the
// fake node is listed Ready (by kubectl when it is on the PATH, and by
// client-go), and exits 0 on SIGINT with nothing left running and the
// kubeconfig removed.
func TestClusterCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a local cluster (not with -short)")
	}
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("reads the process table in /proc")
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	cmd, stdout, stderr := runClusterCommand(t, "--kubeconfig", kubeconfig)
	var out strings.Builder
	var logs string
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for stdout.Scan() {
			line := stdout.Text()
			out.WriteString(line + "\n")
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "logs:"); ok {
				logs = strings.TrimSpace(v)
			}
			if strings.HasPrefix(line, "Ctrl-C stops") {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-done:
		_ = cmd.Wait()
		t.Fatalf("okt cluster ended before it was ready:\n%s\n%s", out.String(), stderr)
	case <-time.After(3 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatalf("okt cluster not ready after 3 minutes:\n%s", stderr)
	}
	dir := filepath.Dir(logs) // the cluster's folder
	pids := processesNaming(dir)
	if len(pids) < 5 {
		t.Errorf("expected the cluster's processes to name %s, found %v", dir, pids)
	}

	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		got, err := exec.Command(kubectl, "--kubeconfig", kubeconfig, "get", "nodes", "--no-headers").CombinedOutput()
		if err != nil || !strings.Contains(string(got), "okt-node-1") || !strings.Contains(string(got), " Ready ") {
			t.Errorf("kubectl get nodes: %v\n%s", err, got)
		}
		t.Logf("kubectl get nodes:\n%s", got)
	} else {
		t.Log("kubectl is not on the PATH: the node is checked with client-go only")
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	nodes, err := kubernetes.NewForConfigOrDie(cfg).CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 1 || !isReady(&nodes.Items[0]) {
		t.Errorf("expected one Ready node, got %+v", nodes.Items)
	}
	// The API server is the Kubernetes that hack/tools builds (what kubectl
	// version prints as the server's version).
	server, err := kubernetes.NewForConfigOrDie(cfg).Discovery().ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if want := requiredVersionIn(t, "../../hack/tools/go.mod", "k8s.io/kubernetes"); server.GitVersion != want {
		t.Errorf("okt cluster's server version is %s, want %s (hack/tools/go.mod)", server.GitVersion, want)
	}
	t.Logf("server version: %s (major %s, minor %s)", server.GitVersion, server.Major, server.Minor)

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := cmd.Wait(); err != nil {
		t.Errorf("okt cluster did not exit 0 on SIGINT: %v\n%s\n%s", err, out.String(), stderr)
	}
	if !strings.Contains(out.String(), "stopped; nothing is left running") {
		t.Errorf("okt cluster did not say it stopped:\n%s", out.String())
	}
	for _, pid := range pids {
		if cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && bytes.Contains(cmdline, []byte(dir+"/")) {
			t.Errorf("process %d is still running: %s", pid, cmdline)
		}
	}
	if left := processesNaming(dir); len(left) > 0 {
		t.Errorf("processes %v still name %s", left, dir)
	}
	for _, path := range []string{kubeconfig, dir} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s is still there (%v)", path, err)
		}
	}
}

// TestClusterCommandBadInput: a node count of 0 or less is a clear error.
func TestClusterCommandBadInput(t *testing.T) {
	for _, n := range []string{"0", "-1"} {
		cmd := newClusterCommand()
		cmd.SetArgs([]string{"--nodes", n})
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		err := cmd.Execute()
		if err == nil || !strings.Contains(err.Error(), "at least one node") {
			t.Errorf("--nodes %s: %v", n, err)
		}
	}
}

// processesNaming returns the processes whose command line names dir/.
func processesNaming(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmdline, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(cmdline, []byte(dir+"/")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func isReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
