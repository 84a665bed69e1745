package scaffolds_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/okt-dev/okt/scaffolds"
)

const projectGoMod = `module example.com/op

go 1.24.0

require sigs.k8s.io/controller-runtime v0.21.0

require github.com/go-logr/logr v1.4.2 // indirect
`

func TestAddLibrary(t *testing.T) {
	out, err := scaffolds.AddLibrary([]byte(projectGoMod), "/src/okt", "")
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, s := range []string{
		"replace github.com/okt-dev/okt => /src/okt",
		"github.com/okt-dev/okt " + scaffolds.LocalVersion + "\n",
	} {
		if !strings.Contains(got, s) {
			t.Errorf("go.mod lacks %q:\n%s", s, got)
		}
	}
	if strings.Contains(got, "okt "+scaffolds.LocalVersion+" // indirect") {
		t.Errorf("the library is required as indirect:\n%s", got)
	}
	again, err := scaffolds.AddLibrary(out, "/src/okt", "")
	if err != nil || string(again) != got {
		t.Errorf("second run changed go.mod (err %v):\n%s", err, again)
	}

	out, err = scaffolds.AddLibrary([]byte(projectGoMod), "", "v0.3.0")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "github.com/okt-dev/okt v0.3.0") || strings.Contains(string(out), "replace") {
		t.Errorf("version only:\n%s", out)
	}
	if _, err := scaffolds.AddLibrary([]byte(projectGoMod), "", ""); err == nil {
		t.Error("no path and no version accepted")
	}
	if _, err := scaffolds.AddLibrary([]byte("modul x"), "/x", ""); err == nil {
		t.Error("a malformed go.mod accepted")
	}
}

func TestCheckLibrary(t *testing.T) {
	good := t.TempDir()
	if err := os.WriteFile(filepath.Join(good, "go.mod"), []byte("module github.com/okt-dev/okt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := scaffolds.CheckLibrary(good); err != nil || got != good {
		t.Errorf("CheckLibrary(good) = %q, %v", got, err)
	}
	for dir, want := range map[string]string{
		"":             "set --okt-path",
		t.TempDir():    "cannot read its go.mod",
		other:          `declares module "example.com/other"`,
		good + "/nope": "cannot read its go.mod",
	} {
		if _, err := scaffolds.CheckLibrary(dir); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckLibrary(%q) = %v, want %q", dir, err, want)
		}
	}
}
