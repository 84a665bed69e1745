package cluster_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/okt-dev/okt/okt/cluster"
)

// helperEnv makes TestHelperProcess play a test that uses a cluster: pass,
// fail, or wait to be interrupted.
const helperEnv = "OKT_CLUSTER_TEST_HELPER"

// TestHelperProcess is not a test of its own: TestStopLeavesNothing runs this
// test binary with helperEnv set to play a user's test.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperEnv)
	if mode == "" {
		t.Skip("run by TestStopLeavesNothing")
	}
	c, err := cluster.Start(context.Background(), cluster.Options{TempDir: os.Getenv("TMPDIR")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Error(err)
		}
	})
	var pids []string
	for _, pid := range clusterProcesses(c.Dir()) {
		pids = append(pids, strconv.Itoa(pid))
	}
	fmt.Printf("cluster-dir=%s\ncluster-pids=%s\n", c.Dir(), strings.Join(pids, ","))
	switch mode {
	case "fail":
		t.Fatal("failing on purpose")
	case "wait":
		select {} // until a signal ends the process
	}
}

// TestStopLeavesNothing runs a test that uses a cluster in a process of its
// own and checks that, whether it passes, fails, or is interrupted (SIGINT,
// SIGKILL), no process of the cluster is left and no file is left outside its
// temporary folder: the process's TMPDIR and HOME stay empty and the host
// paths kube-controller-manager and kwok default to are not created.
func TestStopLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local clusters (not with -short)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the tests read the process table in /proc")
	}
	if os.Getenv(helperEnv) != "" {
		t.Skip("in the helper process")
	}
	hostPaths := []string{"/usr/libexec/kubernetes", "/var/run/kubernetes", "/var/lib/kubelet", "/etc/kubernetes"}
	existed := map[string]bool{}
	for _, p := range hostPaths {
		_, err := os.Stat(p)
		existed[p] = err == nil
	}
	binDir := realBinaryDir(t)
	if signal.Ignored(os.Interrupt) {
		// Started in the background by a non-interactive shell (make
		// test-stress run with &, a CI job), this process ignores SIGINT,
		// and so would the helper: an ignored signal stays ignored across
		// exec, and the SIGINT case then waited for the test's timeout.
		// A signal this process handles starts as the default in a child.
		handled := make(chan os.Signal, 1)
		signal.Notify(handled, os.Interrupt)
		defer signal.Stop(handled)
	}
	for _, tc := range []struct {
		mode   string
		signal syscall.Signal // sent once the cluster runs; 0: none
	}{
		{"pass", 0},
		{"fail", 0},
		{"wait", syscall.SIGINT},
		{"wait", syscall.SIGKILL},
	} {
		name := tc.mode
		if tc.signal != 0 {
			name = tc.signal.String()
		}
		t.Run(name, func(t *testing.T) {
			tmp, home := t.TempDir(), t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"="+tc.mode, "TMPDIR="+tmp, "HOME="+home, "KUBEBUILDER_ASSETS="+binDir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var output, stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var dir string
			var pids []int
			started := make(chan struct{})
			scanned := make(chan struct{})
			go func() {
				defer close(scanned)
				scanner := bufio.NewScanner(stdout)
				for scanner.Scan() {
					line := scanner.Text()
					output.WriteString(line + "\n")
					if v, ok := strings.CutPrefix(line, "cluster-dir="); ok {
						dir = v
					}
					if v, ok := strings.CutPrefix(line, "cluster-pids="); ok {
						for _, s := range strings.Split(v, ",") {
							if pid, err := strconv.Atoi(s); err == nil {
								pids = append(pids, pid)
							}
						}
						close(started)
					}
				}
			}()
			select {
			case <-started:
			case <-scanned:
			case <-time.After(3 * time.Minute):
				_ = cmd.Process.Kill()
			}
			if tc.signal != 0 {
				if err := cmd.Process.Signal(tc.signal); err != nil {
					t.Fatal(err)
				}
			}
			<-scanned
			err = cmd.Wait()
			out := output.String() + stderr.String()
			if dir == "" {
				t.Fatalf("the helper did not start a cluster: %v\n%s", err, out)
			}
			switch {
			case tc.mode == "pass" && err != nil:
				t.Errorf("the passing test failed: %v\n%s", err, out)
			case tc.mode == "fail" && (err == nil || !strings.Contains(out, "failing on purpose")):
				t.Errorf("the failing test did not fail as planned: %v\n%s", err, out)
			case tc.signal != 0 && !killed(err, tc.signal):
				t.Errorf("the test was not ended by %s: %v\n%s", tc.signal, err, out)
			}
			// After a signal the watchdog cleans up on its own: wait for it.
			eventually(t, 30*time.Second, "the cluster's processes and folder are gone", func(context.Context) (bool, string) {
				left := clusterProcesses(dir)
				_, statErr := os.Stat(dir)
				return len(left) == 0 && os.IsNotExist(statErr), fmt.Sprintf("processes %v, folder: %v", left, statErr)
			})
			checkNothingLeft(t, dir, pids)
			for _, folder := range []string{tmp, home} {
				var files []string
				// Folders are not counted: importing envtest creates its
				// (empty) port cache folder, $HOME/.cache/kubebuilder-envtest.
				_ = filepath.Walk(folder, func(path string, info os.FileInfo, _ error) error {
					if info != nil && !info.IsDir() {
						files = append(files, path)
					}
					return nil
				})
				if len(files) > 0 {
					t.Errorf("files left outside the cluster's folder: %v", files)
				}
			}
			for _, p := range hostPaths {
				if _, err := os.Stat(p); err == nil && !existed[p] {
					t.Errorf("the cluster created %s", p)
				}
			}
		})
	}
}
