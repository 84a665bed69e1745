package okt

// Tests of the allocation-free comparison of inventory entries.

import (
	"math/rand"
	"strings"
	"testing"
)

func TestCompareEntriesAsStrings(t *testing.T) {
	words := []string{"", "a", "ab", "apps/v1", "v1", "rbac.authorization.k8s.io/v1", "Config", "ConfigMap", "Deployment", "ns", "ns-a", "x/y"}
	r := rand.New(rand.NewSource(1))
	pick := func() string { return words[r.Intn(len(words))] }
	for range 20000 {
		a := InventoryEntry{APIVersion: pick(), Kind: pick(), Namespace: pick(), Name: pick()}
		b := InventoryEntry{APIVersion: pick(), Kind: pick(), Namespace: pick(), Name: pick()}
		if got, want := compareEntries(a, b), strings.Compare(a.String(), b.String()); got != want && !(a == b) {
			t.Fatalf("compare(%q, %q) = %d, want %d", a, b, got, want)
		}
	}
}
