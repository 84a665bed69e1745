package plugin_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugin/external"

	"github.com/okt-dev/okt/plugin"
	"github.com/okt-dev/okt/scaffolds"
	"github.com/okt-dev/okt/scaffolds/scaffoldstest"
)

// library returns a folder that looks like a checkout of the okt library.
func library(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module github.com/okt-dev/okt\n\ngo 1.24.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func roundTrip(t *testing.T, req external.PluginRequest) external.PluginResponse {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	var out, errw bytes.Buffer
	if err := plugin.RunExternal(bytes.NewReader(in), &out, &errw); err != nil {
		t.Fatal(err)
	}
	var resp external.PluginResponse
	if err := json.Unmarshal(out.Bytes(), &resp); err != nil {
		t.Fatalf("the response is not JSON: %v\n%s", err, out.String())
	}
	if resp.APIVersion != "v1alpha1" || resp.Command != req.Command {
		t.Errorf("response apiVersion %q command %q", resp.APIVersion, resp.Command)
	}
	return resp
}

func TestExternalFlagsAndMetadata(t *testing.T) {
	resp := roundTrip(t, external.PluginRequest{APIVersion: "v1alpha1", Command: "flags", Args: []string{"--init"}})
	var names []string
	for _, f := range resp.Flags {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"okt-path", "okt-version"}) {
		t.Errorf("init flags = %v", names)
	}
	// Flags that go/v4 defines too would make kubebuilder panic: only okt's
	// own --lifecycle for api.
	if resp := roundTrip(t, external.PluginRequest{Command: "flags", Args: []string{"--api"}}); len(resp.Flags) != 1 || resp.Flags[0].Name != "lifecycle" || resp.Error {
		t.Errorf("api flags = %+v", resp)
	}
	resp = roundTrip(t, external.PluginRequest{Command: "metadata", Args: []string{"--init"}})
	if !strings.Contains(resp.Metadata.Examples, "--plugins go/v4,okt.orange.com/v1") || resp.Metadata.Description == "" {
		t.Errorf("init metadata = %+v", resp.Metadata)
	}
}

func TestExternalInit(t *testing.T) {
	lib := library(t)
	gomod := "module example.com/op\n\ngo 1.24.0\n\nrequire sigs.k8s.io/controller-runtime v0.21.0\n"
	req := external.PluginRequest{APIVersion: "v1alpha1", Command: "init",
		Args:     []string{"--domain", "example.com", "--repo", "example.com/op", "--okt-path", lib, "--skip-go-version-check"},
		Universe: map[string]string{"go.mod": gomod, "Makefile": "all:\n"}}
	resp := roundTrip(t, req)
	if resp.Error {
		t.Fatal(resp.ErrorMsgs)
	}
	if len(resp.Universe) != 1 || !strings.Contains(resp.Universe["go.mod"], "replace github.com/okt-dev/okt => "+lib) {
		t.Errorf("universe = %v", resp.Universe)
	}

	req.Args = []string{"--okt-path", t.TempDir()}
	resp = roundTrip(t, req)
	if !resp.Error || len(resp.ErrorMsgs) != 1 || !strings.Contains(resp.ErrorMsgs[0], "is not a checkout of github.com/okt-dev/okt") {
		t.Errorf("bad --okt-path: %+v", resp)
	}
}

func TestExternalCreateAPI(t *testing.T) {
	fsys, cfg := scaffoldstest.NewProject(t)
	scaffoldstest.SaveConfig(t, fsys, cfg) // PROJECT as on disk: without the new resource yet
	scaffoldstest.AddAPI(t, fsys, cfg, "cache", "v1alpha1", "Memcached")
	universe := scaffoldstest.Snapshot(t, fsys)
	resp := roundTrip(t, external.PluginRequest{APIVersion: "v1alpha1", Command: "create api",
		Args:     []string{"--group", "cache", "--version", "v1alpha1", "--kind", "Memcached", "--resource", "--controller", "--make=false"},
		Universe: universe})
	if resp.Error {
		t.Fatal(resp.ErrorMsgs)
	}
	var got []string
	for p := range resp.Universe {
		got = append(got, p)
	}
	slices.Sort(got)
	want := []string{"Makefile", "api/v1alpha1/memcached_types.go", "internal/controller/memcached_controller.go",
		"internal/controller/memcached_controller_test.go",
		"test/e2e-local/e2e_local_suite_test.go", "test/e2e-local/e2e_local_test.go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	// The same files as the in-process plugin.
	res := scaffoldstest.NewResource(cfg, "cache", "v1alpha1", "Memcached")
	if _, err := (scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: true}).Scaffold(fsys); err != nil {
		t.Fatal(err)
	}
	for _, p := range want {
		if diff := cmp.Diff(scaffoldstest.Snapshot(t, fsys)[p], resp.Universe[p]); diff != "" {
			t.Errorf("%s differs from the in-process scaffold:\n%s", p, diff)
		}
	}
}

func TestExternalErrors(t *testing.T) {
	if resp := roundTrip(t, external.PluginRequest{Command: "destroy"}); !resp.Error {
		t.Error("an unknown command succeeded")
	}
	if resp := roundTrip(t, external.PluginRequest{Command: "create api", Args: []string{"--kind", "X"}}); !resp.Error {
		t.Error("create api without --version succeeded")
	}
	if resp := roundTrip(t, external.PluginRequest{Command: "edit"}); resp.Error || len(resp.Universe) != 0 {
		t.Errorf("edit: %+v", resp)
	}
	var out, errw bytes.Buffer
	if err := plugin.RunExternal(strings.NewReader("{not json"), &out, &errw); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"error":true`) || !strings.Contains(errw.String(), "cannot decode") {
		t.Errorf("garbage input: stdout %s stderr %s", out.String(), errw.String())
	}
}
