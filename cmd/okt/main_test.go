package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kubebuilder/v4/pkg/plugin/external"
)

func TestCLICommands(t *testing.T) {
	c, err := newCLI()
	if err != nil {
		t.Fatal(err)
	}
	root := c.Command()
	for _, path := range [][]string{{"create", "resource"}, {"create", "api"}, {"install-plugin"}, {"version"}, {"init"}} {
		cmd, _, err := root.Find(path)
		if err != nil || cmd.Name() != path[len(path)-1] {
			t.Errorf("no command %v: %v", path, err)
		}
	}
	res, _, _ := root.Find([]string{"create", "resource"})
	if !strings.Contains(res.Example, "okt create resource") {
		t.Errorf("create resource has no example")
	}
}

// build returns the okt binary, built once per test binary.
func build(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("building the CLI is skipped in -short mode")
	}
	bin := filepath.Join(t.TempDir(), "okt")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestBinary(t *testing.T) {
	bin := build(t)

	out, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "okt.orange.com/v1") {
		t.Errorf("okt version: %v\n%s", err, out)
	}
	// The kubebuilder, controller-runtime and k8s.io it names are those
	// go.mod requires.
	for _, want := range []string{
		"kubebuilder " + requiredVersion(t, kubebuilderModule) + ",",
		"controller-runtime " + requiredVersion(t, controllerRuntimeModule) + ",",
		"k8s.io " + requiredVersion(t, k8sAPIModule) + ":",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("okt version does not say %q:\n%s", want, out)
		}
	}

	// Bad input: a clear message, a non-zero exit, nothing written.
	dir := t.TempDir()
	cmd := exec.Command(bin, "create", "resource", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached",
		"--type", "Deployment", "--name", "memcached")
	cmd.Dir = dir
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err = cmd.Run()
	if err == nil || !strings.Contains(errOut.String(), "no PROJECT file") {
		t.Errorf("create resource outside a project: %v\n%s", err, errOut.String())
	}
	// Once, on stderr: not again as a log line.
	if n := strings.Count(errOut.String(), "no PROJECT file"); n != 1 || strings.Contains(errOut.String(), "level=") {
		t.Errorf("the error is printed %d times:\n%s", n, errOut.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}

	// install-plugin, then the installed binary answers the protocol.
	plugins := t.TempDir()
	out, err = exec.Command(bin, "install-plugin", "--plugins-root", plugins).CombinedOutput()
	if err != nil {
		t.Fatalf("install-plugin: %v\n%s", err, out)
	}
	installed := filepath.Join(plugins, "okt.orange.com", "v1", "okt.orange.com")
	fi, err := os.Stat(installed)
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("installed plugin: %v %v", fi, err)
	}
	cmd = exec.Command(installed)
	cmd.Stdin = strings.NewReader(`{"apiVersion":"v1alpha1","command":"flags","args":["--init"],"universe":{}}`)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("external plugin: %v\n%s", err, stderr.String())
	}
	var resp external.PluginResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil || len(resp.Flags) == 0 || resp.Flags[0].Name != "okt-path" {
		t.Errorf("external plugin response %+v (%v): %s", resp, err, stdout.String())
	}
}

// TestBuiltFromCheckout: a binary built by `make build` (its command, read
// from the Makefile) defaults --okt-path to the checkout it was built from:
// okt init in an empty folder, without --okt-path nor OKT_PATH, replaces the
// library by that checkout.
func TestBuiltFromCheckout(t *testing.T) {
	if testing.Short() {
		t.Skip("building the CLI and running okt init are skipped in -short mode")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	out, err := exec.Command("make", "-C", root, "-s", "-n", "build", "BIN="+bin).Output()
	if err != nil {
		t.Fatalf("make -n build: %v", err)
	}
	var build string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "./cmd/okt") {
			build = l
		}
	}
	if !strings.Contains(build, "plugin.DefaultPath="+root) {
		t.Fatalf("make build does not set plugin.DefaultPath to the checkout: %q", build)
	}
	cmd := exec.Command("sh", "-c", build)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", build, err, out)
	}

	dir := filepath.Join(t.TempDir(), "op")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(filepath.Join(bin, "okt"), "init", "--domain", "example.com", "--repo", "example.com/op", "--license", "none")
	cmd.Dir = dir
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "OKT_PATH=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("okt init without --okt-path: %v\n%s", err, out)
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.Contains(string(gomod), "replace github.com/okt-dev/okt => "+root+"\n") {
		t.Errorf("go.mod (%v):\n%s", err, gomod)
	}
}
