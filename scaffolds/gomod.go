package scaffolds

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// LocalVersion is the version required for the library when a replace
// directive points at a local checkout: the one the go command writes itself.
const LocalVersion = "v0.0.0-00010101000000-000000000000"

// CheckLibrary checks that dir is a checkout of the okt library (a folder
// whose go.mod declares LibraryModule) and returns its absolute path.
func CheckLibrary(dir string) (string, error) {
	if dir == "" {
		return "", fmt.Errorf("no path to the okt library: set --okt-path (or OKT_PATH) to a checkout of %s", LibraryModule)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("cannot resolve --okt-path %q: %w", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("--okt-path %s is not a checkout of %s: cannot read its go.mod: %w", abs, LibraryModule, err)
	}
	if got := modfile.ModulePath(data); got != LibraryModule {
		return "", fmt.Errorf("--okt-path %s is not a checkout of %s: its go.mod declares module %q", abs, LibraryModule, got)
	}
	return abs, nil
}

// AddLibrary returns the go.mod gomod with a requirement on the okt library:
// version, or, when dir is not empty, LocalVersion and a replace directive to
// dir. It is idempotent.
func AddLibrary(gomod []byte, dir, version string) ([]byte, error) {
	f, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot parse go.mod: %w", err)
	}
	if dir != "" {
		version = LocalVersion
		if err := f.AddReplace(LibraryModule, "", dir, ""); err != nil {
			return nil, fmt.Errorf("cannot add the replace directive to go.mod: %w", err)
		}
	}
	if version == "" {
		return nil, fmt.Errorf("no version of %s to require: set --okt-path or --okt-version", LibraryModule)
	}
	var reqs []*modfile.Require
	found := false
	for _, r := range f.Require {
		if r.Mod.Path == LibraryModule {
			found = true
			r = &modfile.Require{Mod: r.Mod, Indirect: false}
			r.Mod.Version = version
		}
		reqs = append(reqs, r)
	}
	if !found {
		reqs = append(reqs, &modfile.Require{Mod: module.Version{Path: LibraryModule, Version: version}})
	}
	f.SetRequireSeparateIndirect(reqs)
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return nil, fmt.Errorf("cannot format go.mod: %w", err)
	}
	return out, nil
}
