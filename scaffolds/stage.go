package scaffolds

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/spf13/afero"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
)

// stage is a copy-on-write view of a project: scaffolders write into an
// in-memory layer, and nothing reaches the project until commit. A failure
// before commit leaves the project byte-identical.
type stage struct {
	base  afero.Fs
	layer afero.Fs
	view  afero.Fs
}

func newStage(base afero.Fs) *stage {
	layer := afero.NewMemMapFs()
	return &stage{base: base, layer: layer, view: afero.NewCopyOnWriteFs(afero.NewReadOnlyFs(base), layer)}
}

// fs returns the view for machinery.
func (s *stage) fs() machinery.Filesystem { return machinery.Filesystem{FS: s.view} }

// write stages data at path.
func (s *stage) write(path string, data []byte) error {
	if err := s.layer.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return afero.WriteFile(s.layer, path, data, 0o644)
}

// commit writes to the project the staged files among paths whose content
// differs from the project's, and returns them.
func (s *stage) commit(paths ...string) ([]string, error) {
	type change struct {
		path string
		data []byte
	}
	var changes []change
	for _, p := range paths {
		data, err := afero.ReadFile(s.layer, p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read the staged %s: %w", p, err)
		}
		old, err := afero.ReadFile(s.base, p)
		if err == nil && bytes.Equal(old, data) {
			continue
		}
		changes = append(changes, change{p, data})
	}
	var changed []string
	for _, c := range changes {
		if err := s.base.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
			return changed, fmt.Errorf("cannot create the folder of %s: %w", c.path, err)
		}
		if err := afero.WriteFile(s.base, c.path, c.data, 0o644); err != nil {
			return changed, fmt.Errorf("cannot write %s: %w", c.path, err)
		}
		changed = append(changed, c.path)
	}
	return changed, nil
}

// boilerplatePath is where go/v4 keeps the license header of Go files.
const boilerplatePath = "hack/boilerplate.go.txt"

func readBoilerplate(fsys afero.Fs) string {
	b, err := afero.ReadFile(fsys, boilerplatePath)
	if err != nil {
		return ""
	}
	return string(b)
}
