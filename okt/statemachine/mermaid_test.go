package statemachine_test

import (
	"testing"

	"github.com/okt-dev/okt/okt/internal/golden"
	"github.com/okt-dev/okt/okt/statemachine"
)

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
	golden.Check(t, "lifecycle.mermaid.golden", m.Mermaid())
}
