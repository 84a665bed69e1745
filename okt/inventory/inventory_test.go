package inventory_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/okt-dev/okt/okt/inventory"
)

func TestString(t *testing.T) {
	for want, e := range map[string]inventory.Entry{
		"Deployment.apps default/web":             {APIVersion: "apps/v1", Kind: "Deployment", Namespace: "default", Name: "web"},
		"ConfigMap default/settings":              {APIVersion: "v1", Kind: "ConfigMap", Namespace: "default", Name: "settings"},
		"ClusterRole.rbac.authorization.k8s.io r": {APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole", Name: "r"},
	} {
		if got := e.String(); got != want {
			t.Errorf("String() = %q, want %q", got, want)
		}
	}
}

func TestJSONAndDeepCopy(t *testing.T) {
	e := inventory.Entry{APIVersion: "v1", Kind: "ConfigMap", Name: "a", UID: "0b0b"}
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"apiVersion":"v1","kind":"ConfigMap","name":"a","uid":"0b0b"}`; string(data) != want {
		t.Errorf("JSON %s, want %s", data, want)
	}
	c := e.DeepCopy()
	if *c != e || c == &e {
		t.Errorf("DeepCopy() = %+v", c)
	}
	if (*inventory.Entry)(nil).DeepCopy() != nil {
		t.Error("DeepCopy of nil is not nil")
	}
}

// TestImports: API packages import this one, so it stays light: the standard
// library and k8s.io/apimachinery only.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.Split(p, "/")[0], ".")
			if !std && !strings.HasPrefix(p, "k8s.io/apimachinery/") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
