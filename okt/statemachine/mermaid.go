package statemachine

import (
	"fmt"
	"strings"
)

// Mermaid renders the graph as a Mermaid state diagram (stateDiagram-v2).
// States appear in declaration order; the transitions of a state in the order
// they are tried, labelled "1. label", "2. label" ..., the default one
// "default". The start state is entered from [*], and states that end runs
// lead to [*]. State names that are not plain identifiers are given one, with
// the name as their description.
func (m *Machine[D]) Mermaid() string {
	ids := m.mermaidIDs()
	id := func(s State) string {
		if v, ok := ids[s]; ok {
			return v
		}
		return mermaidID(s) // an undeclared target: Validate reports it
	}
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, n := range m.order {
		if i := ids[n.state]; i != string(n.state) {
			fmt.Fprintf(&b, "    state \"%s\" as %s\n", mermaidText(string(n.state)), i)
		}
	}
	fmt.Fprintf(&b, "    [*] --> %s\n", id(m.start))
	for _, n := range m.order {
		ts := m.Transitions(n.state)
		if len(ts) == 0 {
			fmt.Fprintf(&b, "    %s --> [*]\n", id(n.state))
			continue
		}
		for i, t := range ts {
			label := "default"
			if !t.Default {
				label = strings.TrimSpace(fmt.Sprintf("%d. %s", i+1, mermaidText(t.Label)))
			}
			fmt.Fprintf(&b, "    %s --> %s : %s\n", id(t.From), id(t.To), label)
		}
	}
	return b.String()
}

// mermaidIDs gives every declared state a unique Mermaid identifier.
func (m *Machine[D]) mermaidIDs() map[State]string {
	ids := make(map[State]string, len(m.order))
	used := map[string]bool{}
	for _, n := range m.order {
		base := mermaidID(n.state)
		v := base
		for i := 2; used[v]; i++ {
			v = fmt.Sprintf("%s_%d", base, i)
		}
		used[v] = true
		ids[n.state] = v
	}
	return ids
}

// mermaidID maps a state name to letters, digits and underscores, starting
// with a letter.
func mermaidID(s State) string {
	var b strings.Builder
	for _, r := range string(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	v := b.String()
	if v == "" || v[0] < 'A' || (v[0] > 'Z' && v[0] < 'a') || v[0] > 'z' {
		v = "s_" + v
	}
	return v
}

// mermaidText keeps a label on one line and away from Mermaid's syntax.
func mermaidText(s string) string {
	return strings.NewReplacer("\n", " ", "\r", " ", ";", ",", "#", "", `"`, "'").Replace(s)
}
