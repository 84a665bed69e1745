package scaffolds

import (
	"fmt"

	"github.com/spf13/afero"
)

// Init is what `init` adds to a project scaffolded by go/v4: the okt
// library in go.mod.
type Init struct {
	// Path is the absolute path of a local checkout of the library (see
	// CheckLibrary); go.mod gets a replace directive to it.
	Path string
	// Version is the version of the library to require when Path is empty.
	Version string
}

// Scaffold adds the library to the go.mod of the project on fsys and
// returns the files it changed. Running it again changes nothing.
func (i Init) Scaffold(fsys afero.Fs) ([]string, error) {
	gomod, err := afero.ReadFile(fsys, "go.mod")
	if err != nil {
		return nil, fmt.Errorf("cannot read go.mod (go/v4 must run before okt): %w", err)
	}
	out, err := AddLibrary(gomod, i.Path, i.Version)
	if err != nil {
		return nil, err
	}
	st := newStage(fsys)
	if err := st.write("go.mod", out); err != nil {
		return nil, err
	}
	return st.commit("go.mod")
}
