package statemachine_test

import (
	"strings"
	"testing"

	"github.com/okt-dev/okt/okt/statemachine"
)

func pathOf(s string) statemachine.Path {
	if s == "" {
		return nil
	}
	var p statemachine.Path
	for _, x := range strings.Split(s, " ") {
		p = append(p, statemachine.State(x))
	}
	return p
}

func TestPathString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"A", ">A"},
		{"A B C", ">A>B>C"},
		{"A A", ">(A)x2"},
		{"A B A B A B C", ">(A>B)x3>C"},
		{"S A B A B", ">S>(A>B)x2"},
		{"A A A A", ">(A)x4"},                     // shortest cycle on a tie
		{"A B A", ">A>B>A"},                       // no full repetition
		{"A B A B C A B A B C", ">((A>B)x2>C)x2"}, // nested cycles
		{"Run Servicing Run Servicing Stop End", ">(Run>Servicing)x2>Stop>End"},
		{"A B B B A B B B D", ">(A>(B)x3)x2>D"},
		{"X A B C A B C A B", ">X>(A>B>C)x2>A>B"},
	} {
		if got := pathOf(tc.in).String(); got != tc.want {
			t.Errorf("Path(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPathFullAndLast(t *testing.T) {
	p := pathOf("A B A B")
	if got, want := p.Full(), ">A>B>A>B"; got != want {
		t.Errorf("Full() = %q, want %q", got, want)
	}
	if got := p.Last(); got != "B" {
		t.Errorf("Last() = %q, want B", got)
	}
	if got := statemachine.Path(nil).Last(); got != "" {
		t.Errorf("Last() of an empty path = %q", got)
	}
}

func BenchmarkPathStringLongLoop(b *testing.B) {
	p := make(statemachine.Path, 0, 1001)
	for i := 0; i < 1001; i++ {
		p = append(p, statemachine.State([]string{"A", "B", "C"}[i%3]))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = p.String()
	}
}
