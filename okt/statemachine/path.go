package statemachine

import (
	"strconv"
	"strings"
)

// Path is the sequence of states a run visited, in order.
type Path []State

// Last returns the last state of the path, or "" if it is empty.
func (p Path) Last() State {
	if len(p) == 0 {
		return ""
	}
	return p[len(p)-1]
}

// Full renders every state, each preceded by ">": ">A>B>A>B>C".
func (p Path) Full() string {
	var b strings.Builder
	for _, s := range p {
		b.WriteByte('>')
		b.WriteString(string(s))
	}
	return b.String()
}

// String renders the path like Full, with consecutive repetitions of a cycle
// compressed: ">A>B>A>B>A>B>C" is ">(A>B)x3>C", and a state repeated on itself
// is "(A)x2". At each position the repetition covering the most states wins,
// the shortest cycle on a tie; cycles are compressed inside too:
// ">((A>B)x2>C)x2".
func (p Path) String() string {
	tokens := compress(p)
	if len(tokens) == 0 {
		return ""
	}
	return ">" + strings.Join(tokens, ">")
}

// compress renders p as tokens, one per state or per repeated cycle.
func compress(p []State) []string {
	var out []string
	for i := 0; i < len(p); {
		bestLen, bestCount := 1, 1
		for l := 1; i+2*l <= len(p); l++ {
			k := repeats(p[i:], l)
			if k > 1 && k*l > bestLen*bestCount {
				bestLen, bestCount = l, k
			}
		}
		if bestCount == 1 {
			out = append(out, string(p[i]))
			i++
			continue
		}
		body := strings.Join(compress(p[i:i+bestLen]), ">")
		out = append(out, "("+body+")x"+strconv.Itoa(bestCount))
		i += bestLen * bestCount
	}
	return out
}

// repeats returns how many times p[:l] repeats back to back at the start of p.
func repeats(p []State, l int) int {
	k := 1
	for start := l; start+l <= len(p); start += l {
		for j := 0; j < l; j++ {
			if p[start+j] != p[j] {
				return k
			}
		}
		k++
	}
	return k
}
