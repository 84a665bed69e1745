package main

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"
)

// requiredVersion returns the version of module that okt's go.mod requires.
func requiredVersion(t *testing.T, module string) string {
	t.Helper()
	return requiredVersionIn(t, "../../go.mod", module)
}

// requiredVersionIn returns the version of module that the go.mod file
// requires.
func requiredVersionIn(t *testing.T, gomod, module string) string {
	t.Helper()
	data, err := os.ReadFile(gomod)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == module {
			return r.Mod.Version
		}
	}
	t.Fatalf("%s does not require %s", gomod, module)
	return ""
}

func TestVersionString(t *testing.T) {
	// A test binary carries the build information of its dependencies too.
	api := requiredVersion(t, k8sAPIModule)
	want := "okt devel (plugin okt.orange.com/v1, kubebuilder " + requiredVersion(t, kubebuilderModule) +
		", controller-runtime " + requiredVersion(t, controllerRuntimeModule) + ", k8s.io " + api +
		": Kubernetes 1." + strings.Split(api, ".")[1] + ")"
	if got := versionString(); got != want {
		t.Errorf("versionString() = %q, want %q", got, want)
	}
}
