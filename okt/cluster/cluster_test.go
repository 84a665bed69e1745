package cluster_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/cluster"
	"github.com/okt-dev/okt/okt/internal/testenv"
)

// startCluster starts a cluster that t's cleanup stops, checking that the
// stop leaves nothing behind.
func startCluster(t *testing.T, opts cluster.Options) *cluster.Cluster {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a local cluster (not with -short)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the tests read the process table in /proc")
	}
	c, err := cluster.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkPorts(t, c.Dir(), c.PIDs())
	t.Cleanup(func() {
		pids := clusterProcesses(c.Dir())
		if err := c.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		checkNothingLeft(t, c.Dir(), pids)
		checkClosed(t, c.Config().Host)
	})
	return c
}

// clusterProcesses returns the processes whose command line names the
// cluster's folder: all of its processes, etcd and kube-apiserver included.
func clusterProcesses(dir string) []int {
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline")); err == nil && bytes.Contains(cmdline, []byte(dir+"/")) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkNothingLeft fails t when one of pids still runs the cluster or the
// cluster's folder exists.
func checkNothingLeft(t *testing.T, dir string, pids []int) {
	t.Helper()
	if len(pids) < 6 {
		t.Errorf("expected at least 6 processes of the cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok, the watchdog), found %v", pids)
	}
	for _, pid := range pids {
		if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil && bytes.Contains(cmdline, []byte(dir+"/")) {
			t.Errorf("process %d is still running after Stop: %s", pid, bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '}))
		}
	}
	if left := clusterProcesses(dir); len(left) > 0 {
		t.Errorf("processes %v still name %s after Stop", left, dir)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the cluster's folder %s is still there after Stop (%v)", dir, err)
	}
}

// eventually polls cond every 100ms until it holds or timeout passes, then
// fails t with cond's last description.
func eventually(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		ok, state := cond(ctx)
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not true after %s; last state: %s", what, timeout, state)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// newNamespace creates a namespace for one test.
func newNamespace(t *testing.T, cl client.Client, name string) string {
	t.Helper()
	if err := cl.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
		t.Fatal(err)
	}
	return name
}

func podTemplate(labels map[string]string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "example.com/app:1"}},
		},
	}
}

// TestWorkloads runs workloads on one cluster: the controllers, the
// scheduler, kwok and the provisioner at work.
func TestWorkloads(t *testing.T) {
	c := startCluster(t, cluster.Options{})
	cl, err := client.New(c.Config(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(c.Config())

	t.Run("Deployment", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		ns := newNamespace(t, cl, "deployment")
		labels := map[string]string{"app": "web"}
		dep := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](3),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: podTemplate(labels),
			},
		}
		if err := cl.Create(ctx, dep); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, "the Deployment is Available with 3 Running, Ready Pods", func(ctx context.Context) (bool, string) {
			if err := cl.Get(ctx, client.ObjectKeyFromObject(dep), dep); err != nil {
				return false, err.Error()
			}
			available := false
			for _, cond := range dep.Status.Conditions {
				if cond.Type == appsv1.DeploymentAvailable && cond.Status == corev1.ConditionTrue {
					available = true
				}
			}
			pods := &corev1.PodList{}
			if err := cl.List(ctx, pods, client.InNamespace(ns), client.MatchingLabels(labels)); err != nil {
				return false, err.Error()
			}
			running := 0
			for i := range pods.Items {
				if testenv.PodReady(&pods.Items[i]) && pods.Items[i].Spec.NodeName != "" {
					running++
				}
			}
			state := fmt.Sprintf("Available=%v, availableReplicas=%d, %d Pods, %d Running and Ready on a node",
				available, dep.Status.AvailableReplicas, len(pods.Items), running)
			return available && dep.Status.AvailableReplicas == 3 && running == 3 && len(pods.Items) == 3, state
		})
	})

	t.Run("StatefulSet", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		ns := newNamespace(t, cl, "statefulset")
		// Watch the Pods from the start, to see the order of their creation.
		w, err := cs.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		sts := statefulSetWithClaim(ns, "db") // 2 replicas, a claim each
		if err := cl.Create(ctx, sts); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, "the StatefulSet has 2 Ready replicas", func(ctx context.Context) (bool, string) {
			if err := cl.Get(ctx, client.ObjectKeyFromObject(sts), sts); err != nil {
				return false, err.Error()
			}
			return sts.Status.ReadyReplicas == 2 && sts.Status.AvailableReplicas == 2,
				fmt.Sprintf("readyReplicas=%d availableReplicas=%d", sts.Status.ReadyReplicas, sts.Status.AvailableReplicas)
		})
		// db-1 was created after db-0, and only once db-0 was Ready.
		var order []string
		ready := map[string]bool{}
		readyBefore := map[string]bool{}
		timeout := time.After(30 * time.Second)
	events:
		for len(order) < 2 {
			select {
			case ev, ok := <-w.ResultChan():
				if !ok {
					t.Fatal("the watch of the Pods ended")
				}
				pod, isPod := ev.Object.(*corev1.Pod)
				if !isPod {
					continue
				}
				if ev.Type == watch.Added {
					order = append(order, pod.Name)
					readyBefore[pod.Name] = ready["db-0"]
				}
				ready[pod.Name] = testenv.PodReady(pod)
			case <-timeout:
				break events
			}
		}
		if strings.Join(order, ",") != "db-0,db-1" {
			t.Errorf("Pods created in the order %v, expected db-0,db-1", order)
		}
		if !readyBefore["db-1"] {
			t.Errorf("db-1 was created before db-0 was Ready")
		}
		claims := &corev1.PersistentVolumeClaimList{}
		if err := cl.List(ctx, claims, client.InNamespace(ns)); err != nil {
			t.Fatal(err)
		}
		var bound []string
		for _, claim := range claims.Items {
			if claim.Status.Phase == corev1.ClaimBound {
				bound = append(bound, claim.Name)
			}
		}
		if strings.Join(bound, ",") != "data-db-0,data-db-1" {
			t.Errorf("bound claims: %v, expected data-db-0 and data-db-1 (all: %d)", bound, len(claims.Items))
		}
	})

	t.Run("Job", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		ns := newNamespace(t, cl, "job")
		tmpl := podTemplate(map[string]string{"app": "batch"})
		tmpl.Spec.RestartPolicy = corev1.RestartPolicyNever
		job := &batchv1.Job{
			ObjectMeta: metav1.ObjectMeta{Name: "batch", Namespace: ns},
			Spec: batchv1.JobSpec{
				Completions: ptr.To[int32](2),
				Parallelism: ptr.To[int32](1),
				Template:    tmpl,
			},
		}
		if err := cl.Create(ctx, job); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, "the Job Completes", func(ctx context.Context) (bool, string) {
			if err := cl.Get(ctx, client.ObjectKeyFromObject(job), job); err != nil {
				return false, err.Error()
			}
			for _, cond := range job.Status.Conditions {
				if cond.Type == batchv1.JobComplete && cond.Status == corev1.ConditionTrue {
					return job.Status.Succeeded == 2, fmt.Sprintf("Complete, succeeded=%d", job.Status.Succeeded)
				}
			}
			return false, fmt.Sprintf("succeeded=%d active=%d failed=%d", job.Status.Succeeded, job.Status.Active, job.Status.Failed)
		})
	})

	t.Run("GarbageCollection", func(t *testing.T) {
		t.Parallel()
		ctx := context.Background()
		ns := newNamespace(t, cl, "gc")
		owner := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "owner", Namespace: ns}}
		if err := cl.Create(ctx, owner); err != nil {
			t.Fatal(err)
		}
		dependent := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Name: "dependent", Namespace: ns,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "v1", Kind: "ConfigMap", Name: owner.Name, UID: owner.UID}},
		}}
		if err := cl.Create(ctx, dependent); err != nil {
			t.Fatal(err)
		}
		labels := map[string]string{"app": "gc"}
		dep := &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: "gc", Namespace: ns},
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To[int32](2),
				Selector: &metav1.LabelSelector{MatchLabels: labels},
				Template: podTemplate(labels),
			},
		}
		if err := cl.Create(ctx, dep); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, "the Deployment has its ReplicaSet and 2 Pods", func(ctx context.Context) (bool, string) {
			rss, pods := &appsv1.ReplicaSetList{}, &corev1.PodList{}
			if err := cl.List(ctx, rss, client.InNamespace(ns)); err != nil {
				return false, err.Error()
			}
			if err := cl.List(ctx, pods, client.InNamespace(ns)); err != nil {
				return false, err.Error()
			}
			return len(rss.Items) == 1 && len(pods.Items) == 2, fmt.Sprintf("%d ReplicaSets, %d Pods", len(rss.Items), len(pods.Items))
		})
		background := client.PropagationPolicy(metav1.DeletePropagationBackground)
		if err := cl.Delete(ctx, owner, background); err != nil {
			t.Fatal(err)
		}
		if err := cl.Delete(ctx, dep, background); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Minute, "the dependents are garbage-collected", func(ctx context.Context) (bool, string) {
			err := cl.Get(ctx, client.ObjectKeyFromObject(dependent), &corev1.ConfigMap{})
			rss, pods := &appsv1.ReplicaSetList{}, &corev1.PodList{}
			if err := cl.List(ctx, rss, client.InNamespace(ns)); err != nil {
				return false, err.Error()
			}
			if err := cl.List(ctx, pods, client.InNamespace(ns)); err != nil {
				return false, err.Error()
			}
			return apierrors.IsNotFound(err) && len(rss.Items) == 0 && len(pods.Items) == 0,
				fmt.Sprintf("dependent ConfigMap: %v; %d ReplicaSets, %d Pods", err, len(rss.Items), len(pods.Items))
		})
	})
}

// TestTwoClusters runs two clusters side by side in this process, one of
// them with two configured nodes and a kubeconfig at a chosen path.
func TestTwoClusters(t *testing.T) {
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	t.Cleanup(func() {
		// Runs after b's Stop: cleanups run last registered first.
		if _, err := os.Stat(kubeconfig); !os.IsNotExist(err) {
			t.Errorf("Stop left the kubeconfig %s (%v)", kubeconfig, err)
		}
	})
	type started struct {
		c   *cluster.Cluster
		err error
	}
	results := make(chan started, 1)
	go func() {
		c, err := cluster.Start(context.Background(), cluster.Options{})
		results <- started{c, err}
	}()
	b := startCluster(t, cluster.Options{
		Kubeconfig: kubeconfig,
		Nodes: []cluster.Node{
			{Name: "big"},
			{Name: "small", Labels: map[string]string{"disk": "ssd"}, Capacity: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("10"),
			}},
		},
	})
	r := <-results
	if r.err != nil {
		t.Fatal(r.err)
	}
	a := r.c
	pidsA := clusterProcesses(a.Dir())
	t.Cleanup(func() {
		if err := a.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		checkNothingLeft(t, a.Dir(), pidsA)
		checkClosed(t, a.Config().Host)
	})
	checkPorts(t, a.Dir(), a.PIDs())

	if a.Config().Host == b.Config().Host {
		t.Fatalf("both clusters serve at %s", a.Config().Host)
	}
	if b.KubeconfigPath() != kubeconfig {
		t.Errorf("KubeconfigPath() = %s, expected %s", b.KubeconfigPath(), kubeconfig)
	}
	if _, err := os.Stat(kubeconfig); err != nil {
		t.Errorf("the kubeconfig was not written: %v", err)
	}
	ctx := context.Background()
	csA := kubernetes.NewForConfigOrDie(a.Config())
	csB := kubernetes.NewForConfigOrDie(b.Config())
	nodesA, err := csA.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodesA.Items) != 1 || nodesA.Items[0].Name != "okt-node-1" {
		t.Errorf("cluster A: expected one node okt-node-1, got %d nodes", len(nodesA.Items))
	}
	small, err := csB.CoreV1().Nodes().Get(ctx, "small", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if small.Labels["disk"] != "ssd" || small.Labels[corev1.LabelHostname] != "small" {
		t.Errorf("node small has labels %v", small.Labels)
	}
	if got := small.Status.Allocatable[corev1.ResourcePods]; got.String() != "10" {
		t.Errorf("node small allocates %s pods, expected 10", got.String())
	}
	if got := small.Status.Capacity[corev1.ResourceMemory]; got.String() != "4Gi" {
		t.Errorf("node small has %s of memory, expected 4Gi", got.String())
	}

	// A Pod that selects disk=ssd lands on small; one that asks for more CPU
	// than small has lands on big.
	pods := map[string]*corev1.Pod{
		"ssd": {ObjectMeta: metav1.ObjectMeta{Name: "ssd", Namespace: "default"}, Spec: corev1.PodSpec{
			NodeSelector: map[string]string{"disk": "ssd"},
			Containers:   []corev1.Container{{Name: "app", Image: "example.com/app:1"}},
		}},
		"cpu": {ObjectMeta: metav1.ObjectMeta{Name: "cpu", Namespace: "default"}, Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "app", Image: "example.com/app:1", Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("3")},
			}}},
		}},
	}
	for _, p := range pods {
		if _, err := csB.CoreV1().Pods("default").Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	expected := map[string]string{"ssd": "small", "cpu": "big"}
	eventually(t, time.Minute, "the Pods are Running on the expected nodes", func(ctx context.Context) (bool, string) {
		var state []string
		ok := true
		for name, node := range expected {
			p, err := csB.CoreV1().Pods("default").Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err.Error()
			}
			ok = ok && p.Spec.NodeName == node && testenv.PodReady(p)
			state = append(state, fmt.Sprintf("%s on %q (%s)", name, p.Spec.NodeName, p.Status.Phase))
		}
		return ok, strings.Join(state, ", ")
	})
	// Cluster A does not see B's Pods.
	if list, err := csA.CoreV1().Pods("default").List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Errorf("cluster A lists %v Pods (%v), expected none", list, err)
	}
	if err := a.Err(); err != nil {
		t.Error(err)
	}
	if err := b.Err(); err != nil {
		t.Error(err)
	}
}

// TestBadInput: each is a clear error, and nothing is left running or
// written.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("starts local clusters (not with -short)")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the tests read the process table in /proc")
	}
	// A folder with etcd and kube-apiserver only, as envtest-assets prints.
	partial := t.TempDir()
	realDir := realBinaryDir(t)
	for _, name := range []string{"kube-apiserver", "etcd"} {
		if err := os.Symlink(filepath.Join(realDir, name), filepath.Join(partial, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A kwok that fails at once.
	failing := t.TempDir()
	for _, name := range []string{"kube-apiserver", "etcd", "kube-controller-manager", "kube-scheduler"} {
		if err := os.Symlink(filepath.Join(realDir, name), filepath.Join(failing, name)); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho 'kwok: cannot start, on purpose for the test' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(failing, "kwok"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(foreign, []byte("somebody's file\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name     string
		opts     cluster.Options
		want     []string // in the error
		logsKept bool
	}{
		{"empty binary folder", cluster.Options{BinaryDir: t.TempDir()},
			[]string{"make cluster-assets", "kube-controller-manager", "kwok"}, false},
		{"control plane only", cluster.Options{BinaryDir: partial},
			[]string{"make cluster-assets", "lacks kube-controller-manager, kube-scheduler, kwok"}, false},
		{"unwritable kubeconfig", cluster.Options{Kubeconfig: "/nonexistent-okt-folder/kubeconfig"},
			[]string{"cannot write the kubeconfig to /nonexistent-okt-folder/kubeconfig", "writable folder"}, false},
		{"kubeconfig is a folder", cluster.Options{Kubeconfig: t.TempDir()},
			[]string{"it is a folder"}, false},
		{"kubeconfig is somebody's file", cluster.Options{Kubeconfig: foreign},
			[]string{"not the kubeconfig of an okt cluster"}, false},
		{"no node", cluster.Options{Nodes: []cluster.Node{}},
			[]string{"at least one node"}, false},
		{"two nodes of one name", cluster.Options{Nodes: []cluster.Node{{Name: "a"}, {Name: "a"}}},
			[]string{`two nodes are named "a"`}, false},
		{"bad node name", cluster.Options{Nodes: []cluster.Node{{Name: "Not_Valid"}}},
			[]string{`node name "Not_Valid" is not valid`}, false},
		{"flag with its dashes", cluster.Options{APIServerFlags: map[string]string{"--audit-log-path": "x"}},
			[]string{`APIServerFlags: "--audit-log-path" is not a flag name: give it without its dashes`}, false},
		{"kwok exits at once", cluster.Options{BinaryDir: failing},
			[]string{"kwok exited (exit status 3)", "kwok.log", "on purpose for the test"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			tc.opts.TempDir = parent
			c, err := cluster.Start(context.Background(), tc.opts)
			if err == nil {
				_ = c.Stop()
				t.Fatal("Start succeeded")
			}
			t.Logf("Start: %v", err)
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error does not say %q:\n%v", want, err)
				}
			}
			if left := clusterProcesses(parent); len(left) > 0 {
				t.Errorf("processes %v are left running", left)
			}
			// Nothing is written before the binaries and options are
			// checked; a component that fails leaves its logs only.
			var files []string
			_ = filepath.Walk(parent, func(path string, info os.FileInfo, _ error) error {
				if !info.IsDir() {
					files = append(files, strings.TrimPrefix(path, parent))
				}
				return nil
			})
			if tc.logsKept {
				if !strings.Contains(err.Error(), "the components' logs are kept in "+parent) {
					t.Errorf("the error does not say where the logs are:\n%v", err)
				}
				for _, f := range files {
					if filepath.Base(filepath.Dir(f)) != "logs" {
						t.Errorf("%s is left in %s", f, parent)
					}
				}
			} else if len(files) > 0 {
				t.Errorf("files are left in %s: %v", parent, files)
			}
			if foreignData, _ := os.ReadFile(foreign); string(foreignData) != "somebody's file\n" {
				t.Errorf("somebody's file was changed")
			}
		})
	}
}

// realBinaryDir is the folder of the binaries the other tests use.
func realBinaryDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KUBEBUILDER_ASSETS")
	if dir == "" {
		matches, _ := filepath.Glob(filepath.Join(cluster.CacheDir(), "controlplane", "*-kwok*"))
		if len(matches) == 0 {
			t.Fatal("no binaries: run `make cluster-assets` and set KUBEBUILDER_ASSETS")
		}
		dir = matches[len(matches)-1]
	}
	return dir
}

// killed tells whether err is a process ended by sig.
func killed(err error, sig syscall.Signal) bool {
	if ee, ok := err.(interface{ Sys() any }); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok {
			return ws.Signaled() && ws.Signal() == sig
		}
	}
	return false
}
