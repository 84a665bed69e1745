package statemachine

import (
	"fmt"
	"strings"
)

// DOT renders the graph in Graphviz's DOT language: one node per state in
// declaration order, the start state drawn with a double border (and entered
// from a point), states that end runs also double-bordered, and edges labelled
// as in Mermaid ("1. label", "default").
func (m *Machine[D]) DOT() string {
	var b strings.Builder
	b.WriteString("digraph {\n")
	b.WriteString("    rankdir=LR;\n")
	b.WriteString("    node [shape=box, style=rounded];\n")
	b.WriteString("    __start [shape=point, label=\"\"];\n")
	for _, n := range m.order {
		attrs := ""
		if len(m.Transitions(n.state)) == 0 {
			attrs = ", peripheries=2"
		}
		fmt.Fprintf(&b, "    %s [label=%s%s];\n", dotQuote(string(n.state)), dotQuote(string(n.state)), attrs)
	}
	fmt.Fprintf(&b, "    __start -> %s;\n", dotQuote(string(m.start)))
	for _, n := range m.order {
		for i, t := range m.Transitions(n.state) {
			label := "default"
			if !t.Default {
				label = strings.TrimSpace(fmt.Sprintf("%d. %s", i+1, t.Label))
			}
			fmt.Fprintf(&b, "    %s -> %s [label=%s];\n", dotQuote(string(t.From)), dotQuote(string(t.To)), dotQuote(label))
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
