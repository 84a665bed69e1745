package scaffolds

import (
	"os"
	"strings"
	"testing"
)

func TestAddLifecycle(t *testing.T) {
	src, err := os.ReadFile("../testdata/project-v3/api/v1alpha1/memcached_types.go")
	if err != nil {
		t.Fatal(err)
	}
	out, changed, err := AddLifecycle(src, "Memcached")
	if err != nil || !changed {
		t.Fatalf("AddLifecycle: changed %v, err %v", changed, err)
	}
	for _, want := range []string{
		"\t\"github.com/okt-dev/okt/okt/lifecycle\"\n)",
		"Lifecycle lifecycle.Status `json:\"lifecycle,omitempty\"`\n}",
		"Conditions []metav1.Condition",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the types lack %q:\n%s", want, out)
		}
	}
	// After the Inventory (create api --lifecycle adds both): okt's imports
	// in one group.
	withInventory, _, err := AddInventory(src, "Memcached")
	if err != nil {
		t.Fatal(err)
	}
	both, changed, err := AddLifecycle(withInventory, "Memcached")
	if err != nil || !changed {
		t.Fatalf("AddLifecycle after AddInventory: changed %v, err %v", changed, err)
	}
	for _, want := range []string{
		"\n\n\t\"github.com/okt-dev/okt/okt/inventory\"\n\t\"github.com/okt-dev/okt/okt/lifecycle\"\n)",
		"Inventory []inventory.Entry `json:\"inventory,omitempty\"`\n\n",
		"Lifecycle lifecycle.Status `json:\"lifecycle,omitempty\"`\n}",
	} {
		if !strings.Contains(string(both), want) {
			t.Errorf("the types lack %q:\n%s", want, both)
		}
	}
	again, changed, err := AddLifecycle(out, "Memcached")
	if err != nil || changed || string(again) != string(out) {
		t.Errorf("a second AddLifecycle changed the types (changed %v, err %v)", changed, err)
	}
	if _, _, err := AddLifecycle(src, "Nothing"); err == nil || !strings.Contains(err.Error(), "NothingStatus") {
		t.Errorf("a missing status struct: %v", err)
	}
}
