package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/yaml"
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
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return errors.New("KUBEBUILDER_ASSETS is not set: run make demo, which builds the control plane with hack/controlplane.sh")
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

	step("starting the local control plane from %s", os.Getenv("KUBEBUILDER_ASSETS"))
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{filepath.Join(project, "config", "crd", "bases")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return fmt.Errorf("cannot start the control plane: %w", err)
	}
	defer func() {
		step("stopping the control plane")
		_ = env.Stop()
	}()
	user, err := env.ControlPlane.AddUser(envtest.User{Name: "demo", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kubeconfig, err := user.KubeConfig()
	if err != nil {
		return err
	}
	kubeconfigPath := filepath.Join(tmp, "kubeconfig")
	if err := os.WriteFile(kubeconfigPath, kubeconfig, 0o600); err != nil {
		return err
	}
	c, err := client.New(cfg, client.Options{})
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
	if err := c.Create(ctx, sample); err != nil {
		return fmt.Errorf("cannot create the sample: %w", err)
	}
	key := types.NamespacedName{Namespace: "default", Name: sample.GetName()}

	step("waiting until %s is Ready", key)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-exited:
			fmt.Print(logs.String())
			return fmt.Errorf("the operator exited: %v", err)
		default:
		}
		cur := sample.DeepCopy()
		if err := c.Get(ctx, key, cur); err != nil {
			return err
		}
		if status, reason, msg := readyOf(cur); status == "True" {
			fmt.Printf("    Ready=True reason=%s message=%q\n", reason, msg)
			sample = cur
			break
		} else if time.Now().After(deadline) {
			fmt.Print(logs.String())
			return fmt.Errorf("%s not Ready after 2 minutes (Ready=%q reason=%q message=%q)", key, status, reason, msg)
		}
		time.Sleep(500 * time.Millisecond)
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

	step("cleaning up")
	if err := c.Delete(ctx, sample); err != nil {
		return err
	}
	step("demo succeeded")
	return nil
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
