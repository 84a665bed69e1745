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

	// Bad input: a clear message, a non-zero exit, nothing written.
	dir := t.TempDir()
	cmd := exec.Command(bin, "create", "resource", "--group", "cache", "--version", "v1alpha1", "--kind", "Memcached",
		"--type", "Deployment", "--name", "memcached")
	cmd.Dir = dir
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "no PROJECT file") {
		t.Errorf("create resource outside a project: %v\n%s", err, out)
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
