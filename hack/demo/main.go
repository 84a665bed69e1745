package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"

	"github.com/okt-dev/okt/okt/cluster"
)

func main() {
	oktBin := flag.String("okt", "bin/okt", "the okt CLI to scaffold with")
	library := flag.String("library", ".", "the local checkout of the okt library")
	keep := flag.Bool("keep", false, "keep the scaffolded project")
	timeout := flag.Duration("timeout", 15*time.Minute, "give up after this long")
	flag.Parse()
	// The demo talks to the cluster through controller-runtime, which warns
	// with a stack trace when no logger is set: it prints what it means to say
	// itself, so controller-runtime's own logs are dropped.
	ctrllog.SetLogger(logr.Discard())
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx, *oktBin, *library, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo failed:", err)
		os.Exit(1)
	}
}

func step(format string, args ...any) {
	fmt.Printf("==> "+format+"\n", args...)
}

func run(ctx context.Context, oktBin, library string, keep bool) error {
	oktBin, err := filepath.Abs(oktBin)
	if err != nil {
		return err
	}
	library, err = filepath.Abs(library)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "okt-demo-")
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

	step("scaffolding a Memcached operator with okt in %s", project)
	okt := func(args ...string) error { return command(ctx, project, oktBin, args...) }
	if err := okt("init", "--domain", "example.com", "--repo", "example.com/memcached-operator", "--okt-path", library); err != nil {
		return err
	}
	if err := okt("create", "api", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached", "--resource", "--controller"); err != nil {
		return err
	}
	step("adding Size and Image to the Memcached's spec, as kubebuilder's tutorial does (create resource then uses them)")
	if err := addSpecFields(filepath.Join(project, "api", "v1alpha1", "memcached_types.go")); err != nil {
		return err
	}
	for _, r := range [][]string{{"Deployment", "memcached"}, {"Service", "memcached"}, {"ConfigMap", "settings"}} {
		if err := okt("create", "resource", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached", "--type", r[0], "--name", r[1]); err != nil {
			return err
		}
	}
	step("generating the CRD and building the operator")
	if err := command(ctx, project, "make", "manifests", "generate"); err != nil {
		return err
	}
	if err := command(ctx, project, "go", "build", "-o", "bin/manager", "./cmd"); err != nil {
		return err
	}

	step("starting the local cluster: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok (fake nodes)")
	begin := time.Now()
	lc, err := cluster.Start(ctx, cluster.Options{
		CRDDirectoryPaths: []string{filepath.Join(project, "config", "crd", "bases")},
	})
	if err != nil {
		return fmt.Errorf("cannot start the local cluster: %w", err)
	}
	defer func() {
		step("stopping the local cluster")
		if err := lc.Stop(); err != nil {
			fmt.Println("    ", err)
		}
	}()
	fmt.Printf("    ready in %.1fs: nodes %v, binaries from %s, logs in %s\n", time.Since(begin).Seconds(), lc.Nodes(), lc.BinaryDir(), lc.LogDir())
	kubeconfigPath := lc.KubeconfigPath()
	c, err := client.NewWithWatch(lc.Config(), client.Options{})
	if err != nil {
		return err
	}

	step("running the operator")
	var logs syncBuffer
	op := exec.CommandContext(ctx, filepath.Join(project, "bin", "manager"),
		"--metrics-bind-address=0", "--health-probe-bind-address=0", "--zap-log-level=debug")
	op.Dir = project
	op.Env = append(os.Environ(), "KUBECONFIG="+kubeconfigPath)
	op.Stdout, op.Stderr = &logs, &logs
	if err := op.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- op.Wait() }()
	defer func() {
		_ = op.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = op.Process.Kill()
		}
	}()

	step("applying the sample Memcached")
	data, err := os.ReadFile(filepath.Join(project, "config", "samples", "cache_v1alpha1_memcached.yaml"))
	if err != nil {
		return err
	}
	sample := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(data, &sample.Object); err != nil {
		return fmt.Errorf("cannot read the sample: %w", err)
	}
	sample.SetNamespace("default")
	// The scaffolded sample's spec is empty (a TODO comment).
	if spec, ok := sample.Object["spec"].(map[string]any); !ok || spec == nil {
		sample.Object["spec"] = map[string]any{}
	}
	if err := unstructured.SetNestedField(sample.Object, int64(2), "spec", "size"); err != nil {
		return err
	}
	if err := unstructured.SetNestedField(sample.Object, "memcached:1.6-alpine", "spec", "image"); err != nil {
		return err
	}
	fmt.Println("    spec.size: 2, spec.image: memcached:1.6-alpine")
	// Watch the sample from before its creation, to see each of its status
	// changes (the local cluster rolls out in a fraction of a second).
	watchList := &unstructured.UnstructuredList{}
	watchList.SetGroupVersionKind(sample.GroupVersionKind())
	w, err := c.Watch(ctx, watchList, client.InNamespace("default"), client.MatchingFields{"metadata.name": sample.GetName()})
	if err != nil {
		return fmt.Errorf("cannot watch the sample: %w", err)
	}
	defer w.Stop()
	if err := c.Create(ctx, sample); err != nil {
		return fmt.Errorf("cannot create the sample: %w", err)
	}
	key := types.NamespacedName{Namespace: "default", Name: sample.GetName()}

	step("waiting until %s is Ready (okt says what it waits for on the way)", key)
	deadline := time.Now().Add(2 * time.Minute)
	seen := map[string]bool{}
	for {
		select {
		case err := <-exited:
			fmt.Print(logs.String())
			return fmt.Errorf("the operator exited: %v", err)
		default:
		}
		var cur *unstructured.Unstructured
		select {
		case ev, ok := <-w.ResultChan():
			if !ok {
				return fmt.Errorf("the watch on %s ended", key)
			}
			if cur, _ = ev.Object.(*unstructured.Unstructured); cur == nil {
				continue
			}
		case <-time.After(time.Second):
			cur = sample.DeepCopy()
			if err := c.Get(ctx, key, cur); err != nil {
				return err
			}
		}
		status, reason, msg := readyOf(cur)
		if line := fmt.Sprintf("    Ready=%s reason=%s message=%q", status, reason, msg); status != "" && !seen[line] {
			seen[line] = true
			fmt.Println(line)
		}
		if status == "True" {
			sample = cur
			break
		} else if time.Now().After(deadline) {
			fmt.Print(logs.String())
			return fmt.Errorf("%s not Ready after 2 minutes (Ready=%q reason=%q message=%q)", key, status, reason, msg)
		}
	}

	step("Events okt recorded on %s", key)
	events := &corev1.EventList{}
	if err := c.List(ctx, events, client.InNamespace("default"), client.MatchingFields{"involvedObject.name": key.Name}); err != nil {
		return fmt.Errorf("cannot list the sample's events: %w", err)
	}
	for _, e := range events.Items {
		if e.InvolvedObject.UID == sample.GetUID() {
			fmt.Printf("    %-7s %-15s %s\n", e.Type, e.Reason, e.Message)
		}
	}

	step("Stepper path of the last reconcile")
	if path := lastPath(logs.String()); path != "" {
		fmt.Println("    " + path)
	} else {
		fmt.Println("    (not found in the operator's log)")
	}

	step("objects the operator created for %s", key)
	for _, gvk := range []schema.GroupVersionKind{
		{Version: "v1", Kind: "ConfigMapList"},
		{Version: "v1", Kind: "ServiceList"},
		{Group: "apps", Version: "v1", Kind: "DeploymentList"},
	} {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk)
		if err := c.List(ctx, list, client.InNamespace("default")); err != nil {
			return err
		}
		for _, item := range list.Items {
			for _, ref := range item.GetOwnerReferences() {
				if ref.UID == sample.GetUID() {
					fmt.Printf("    %-12s %s/%s\n", item.GetKind(), item.GetNamespace(), item.GetName())
				}
			}
		}
	}

	depKey := types.NamespacedName{Namespace: "default", Name: sample.GetName() + "-memcached"}
	step("waiting until the Deployment %s is Available with 2 Pods Running", depKey)
	if err := waitForRollout(ctx, c, depKey, 2, exited, &logs); err != nil {
		return err
	}

	step("changing the sample's size to 3: the operator updates the Deployment, which rolls out")
	begin = time.Now()
	patch := client.RawPatch(types.MergePatchType, []byte(`{"spec":{"size":3}}`))
	if err := c.Patch(ctx, sample, patch); err != nil {
		return fmt.Errorf("cannot change the sample's size: %w", err)
	}
	if err := waitForRollout(ctx, c, depKey, 3, exited, &logs); err != nil {
		return err
	}
	fmt.Printf("    rolled out to 3 replicas in %.1fs\n", time.Since(begin).Seconds())

	step("deleting the sample: the garbage collector removes its Deployment and Pods")
	begin = time.Now()
	if err := c.Delete(ctx, sample); err != nil {
		return err
	}
	if err := waitUntil(ctx, time.Minute, func() (bool, string, error) {
		pods, err := podsOf(ctx, c, depKey)
		if err != nil {
			return false, "", err
		}
		dep := &appsv1.Deployment{}
		err = c.Get(ctx, depKey, dep)
		if err != nil && !apierrors.IsNotFound(err) {
			return false, "", err
		}
		return apierrors.IsNotFound(err) && len(pods) == 0, fmt.Sprintf("Deployment found: %v, %d Pods", err == nil, len(pods)), nil
	}); err != nil {
		return err
	}
	fmt.Printf("    the Deployment and its Pods are gone after %.1fs\n", time.Since(begin).Seconds())
	step("demo succeeded")
	return nil
}

// addSpecFields adds Size and Image fields to the spec in the types file at
// path, after the scaffolded Foo field.
func addSpecFields(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	anchor := "Foo *string `json:\"foo,omitempty\"`\n" // kubebuilder v4.16's go/v4
	if !bytes.Contains(data, []byte(anchor)) {
		return fmt.Errorf("%s has no %q: the scaffold changed, update hack/demo", path, strings.TrimSpace(anchor))
	}
	fields := anchor + `
	// Size is the number of memcached Pods.
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=0
	Size int32 ` + "`json:\"size,omitempty\"`" + `

	// Image is the memcached image.
	// +kubebuilder:default="memcached:1.6-alpine"
	Image string ` + "`json:\"image,omitempty\"`" + `
`
	return os.WriteFile(path, bytes.Replace(data, []byte(anchor), []byte(fields), 1), 0o644)
}

// waitForRollout waits until the Deployment key has replicas up-to-date,
// Running and Ready Pods and is Available, then prints it and its Pods.
func waitForRollout(ctx context.Context, c client.Client, key types.NamespacedName, replicas int32, exited <-chan error, logs *syncBuffer) error {
	dep := &appsv1.Deployment{}
	var pods []corev1.Pod
	err := waitUntil(ctx, 2*time.Minute, func() (bool, string, error) {
		select {
		case err := <-exited:
			fmt.Print(logs.String())
			return false, "", fmt.Errorf("the operator exited: %v", err)
		default:
		}
		if err := c.Get(ctx, key, dep); err != nil {
			return false, err.Error(), nil
		}
		var err error
		if pods, err = podsOf(ctx, c, key); err != nil {
			return false, "", err
		}
		running := 0
		for i := range pods {
			if podReady(&pods[i]) {
				running++
			}
		}
		st := dep.Status
		state := fmt.Sprintf("spec.replicas=%d, %d updated, %d ready, %d available, Available=%s, %d Pods Running and Ready",
			ptrValue(dep.Spec.Replicas), st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas, deploymentAvailable(dep), running)
		done := ptrValue(dep.Spec.Replicas) == replicas && st.ObservedGeneration == dep.Generation &&
			st.UpdatedReplicas == replicas && st.AvailableReplicas == replicas && st.Replicas == replicas &&
			deploymentAvailable(dep) == "True" && running == int(replicas) && len(pods) == int(replicas)
		return done, state, nil
	})
	if err != nil {
		return fmt.Errorf("the Deployment %s did not roll out to %d replicas: %w", key, replicas, err)
	}
	fmt.Printf("    %-50s READY %d/%d  UP-TO-DATE %d  AVAILABLE %d  (condition Available=%s)\n", "deployment/"+key.Name,
		dep.Status.ReadyReplicas, replicas, dep.Status.UpdatedReplicas, dep.Status.AvailableReplicas, deploymentAvailable(dep))
	for i := range pods {
		p := &pods[i]
		fmt.Printf("    %-50s %-8s ready=%-5v node=%s ip=%s image=%s\n", "pod/"+p.Name, p.Status.Phase, podReady(p),
			p.Spec.NodeName, p.Status.PodIP, p.Spec.Containers[0].Image)
	}
	return nil
}

// podsOf lists the live Pods of the Deployment key, by its selector.
func podsOf(ctx context.Context, c client.Client, key types.NamespacedName) ([]corev1.Pod, error) {
	list := &corev1.PodList{}
	if err := c.List(ctx, list, client.InNamespace(key.Namespace), client.MatchingLabels{"app.kubernetes.io/instance": strings.TrimSuffix(key.Name, "-memcached")}); err != nil {
		return nil, err
	}
	var pods []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			pods = append(pods, p)
		}
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods, nil
}

func podReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

func deploymentAvailable(d *appsv1.Deployment) corev1.ConditionStatus {
	for _, cond := range d.Status.Conditions {
		if cond.Type == appsv1.DeploymentAvailable {
			return cond.Status
		}
	}
	return "Unknown"
}

func ptrValue(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// waitUntil polls cond every 100ms until it holds, fails, or timeout passes.
func waitUntil(ctx context.Context, timeout time.Duration, cond func() (bool, string, error)) error {
	deadline := time.Now().Add(timeout)
	for {
		ok, state, err := cond()
		if err != nil || ok {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not done after %s: %s", timeout, state)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %s", ctx.Err(), state)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// readyOf returns the Ready condition of obj.
func readyOf(obj *unstructured.Unstructured) (status, reason, message string) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, ok := c.(map[string]any)
		if ok && m["type"] == "Ready" {
			s, _ := m["status"].(string)
			r, _ := m["reason"].(string)
			msg, _ := m["message"].(string)
			return s, r, msg
		}
	}
	return "", "", ""
}

var pathRE = regexp.MustCompile(`"path":\s*"([^"]*)"`)

// lastPath returns the last Stepper path the operator logged.
func lastPath(logs string) string {
	var path string
	for _, line := range strings.Split(logs, "\n") {
		if m := pathRE.FindStringSubmatch(line); m != nil {
			path = m[1]
		}
	}
	return path
}

// command runs name with args in dir, showing its output.
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

// syncBuffer is a bytes.Buffer safe for concurrent writes and reads.
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
