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

func TestSameSubjects(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Deployment web: 0/3 replicas created", "Deployment web: 0/3 replicas available", true},
		{"Deployment web: 0/3 replicas created; Job m: waiting for StatefulSet db", "Deployment web: 1/3 replicas available; Job m: waiting for StatefulSet db", true},
		{"Deployment web: 0/3 replicas created; Job m: waiting for StatefulSet db", "Job m: waiting for StatefulSet db", false},
		{"Deployment web: x", "Deployment api: x", false},
		{"2 creation(s) held back by the creation limit", "1 creation(s) held back by the creation limit", false},
		{"same", "same", true},
	} {
		if got := sameSubjects(tc.a, tc.b); got != tc.want {
			t.Errorf("sameSubjects(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
