package statemachine_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/okt-dev/okt/okt/statemachine"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

func TestMermaid(t *testing.T) {
	m := statemachine.New[*counter]("Idle")
	m.Add("Idle", nil).When("Running", 1, "started", always).Otherwise("Idle")
	m.Add("Running", nil).
		When("Failed", 2, "crashed", never).
		When("Stopped", 1, "stop asked", never).
		Otherwise("Running")
	m.Add("Failed", nil).Otherwise("Stopped")
	m.Add("Stopped", nil)
	m.Add("needs id #1", nil).Otherwise("Stopped")
	golden(t, "lifecycle.mermaid.golden", m.Mermaid())
}
