package scaffolds

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/afero"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
)

// API is what `create api` adds to a project scaffolded by go/v4.
type API struct {
	// Config is the project configuration (PROJECT).
	Config config.Config
	// Resource is the resource go/v4 scaffolded.
	Resource resource.Resource
	// Types asks for the Conditions and Inventory fields in the API types. A
	// missing types file is an error.
	Types bool
	// Controller asks for the okt controller and its test, replacing
	// go/v4's, and for the kind in the local end-to-end test (test/e2e-local,
	// written with its Makefile target test-e2e-local if missing). The
	// resource must have a Go package (Resource.Path).
	Controller bool
	// Lifecycle asks for the lifecycle skeleton (okt/lifecycle): states and
	// machine in <kind>_lifecycle.go with its test, the Lifecycle field in
	// the status, and the controller's OnSuccess driving it. It needs a new
	// okt controller (Controller, none yet) and the API types.
	Lifecycle bool
}

// Scaffold writes the okt parts of res into the project on fsys, all or
// nothing, and returns the files it changed. Running it again changes nothing.
func (a API) Scaffold(fsys afero.Fs) ([]string, error) {
	multi := a.Config.IsMultiGroup()
	if a.Lifecycle {
		if err := a.CheckLifecycle(fsys, false); err != nil {
			return nil, err
		}
	}
	st := newStage(fsys)
	var paths []string
	if a.Lifecycle {
		p := TypesPath(multi, a.Resource)
		src, err := afero.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		if a.Types {
			if src, _, err = addTypes(src, a.Resource.Kind); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
		out, _, err := AddLifecycle(src, a.Resource.Kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if err := st.write(p, out); err != nil {
			return nil, err
		}
		paths = append(paths, p)
		a.Types = false // done above
	}
	if a.Types {
		p := TypesPath(multi, a.Resource)
		src, err := afero.ReadFile(fsys, p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot add status conditions: %s does not exist", p)
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, err)
		}
		out, changed, err := addTypes(src, a.Resource.Kind)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if changed {
			if err := st.write(p, out); err != nil {
				return nil, err
			}
			paths = append(paths, p)
		}
	}
	if a.Controller && !a.hasOktController(fsys) {
		if a.Resource.Path == "" {
			return nil, fmt.Errorf("the okt controller of %s needs the Go package of its API", a.Resource.Kind)
		}
		res := a.Resource
		s := machinery.NewScaffold(st.fs(),
			machinery.WithConfig(a.Config),
			machinery.WithBoilerplate(readBoilerplate(fsys)),
			machinery.WithResource(&res),
		)
		templates := []machinery.Builder{&Controller{Lifecycle: a.Lifecycle}, &ControllerTest{}}
		if a.Lifecycle {
			templates = append(templates, &Lifecycle{}, &LifecycleTest{})
		}
		if err := s.Execute(templates...); err != nil {
			return nil, fmt.Errorf("cannot scaffold the okt controller of %s: %w", res.Kind, err)
		}
		paths = append(paths, ControllerPath(multi, res), ControllerTestPath(multi, res))
		if a.Lifecycle {
			paths = append(paths, LifecyclePath(multi, res), LifecycleTestPath(multi, res))
		}
	}
	if a.Controller {
		e2e, err := a.scaffoldE2ELocal(fsys, st)
		if err != nil {
			return nil, err
		}
		paths = append(paths, e2e...)
	}
	return st.commit(paths...)
}

// addTypes returns src, the Go file that declares kind's API types, with the
// fields okt manages in the <kind>Status struct: Conditions, then Inventory.
// It reports whether it changed anything.
func addTypes(src []byte, kind string) ([]byte, bool, error) {
	out, conditions, err := AddConditions(src, kind)
	if err != nil {
		return nil, false, err
	}
	out, inventory, err := AddInventory(out, kind)
	if err != nil {
		return nil, false, err
	}
	return out, conditions || inventory, nil
}

// CheckLifecycle refuses a lifecycle that cannot be scaffolded, before
// anything is written; typesComing says the API types are about to be
// written (create api --resource), so they need not exist yet.
func (a API) CheckLifecycle(fsys afero.Fs, typesComing bool) error {
	multi := a.Config.IsMultiGroup()
	switch {
	case !a.Controller:
		return fmt.Errorf("--lifecycle needs --controller: the lifecycle runs from the okt controller's OnSuccess step")
	case a.hasOktController(fsys):
		return fmt.Errorf("--lifecycle comes with a new okt controller, and %s already has one (%s): "+
			"add the lifecycle by hand (see the okt/lifecycle package) or remove the controller first",
			a.Resource.Kind, ControllerPath(multi, a.Resource))
	}
	if ok, _ := afero.Exists(fsys, TypesPath(multi, a.Resource)); !ok && !typesComing {
		return fmt.Errorf("--lifecycle needs the API types of %s (%s): pass --resource", a.Resource.Kind, TypesPath(multi, a.Resource))
	}
	return nil
}

// scaffoldE2ELocal stages the local end-to-end test (written once), the
// resource's kind among its okt kinds, the Makefile target that runs it and
// make test on okt's control plane (AddMakefileEnvtest), and returns their
// paths.
func (a API) scaffoldE2ELocal(fsys afero.Fs, st *stage) ([]string, error) {
	res := a.Resource
	kind := &E2ELocalKind{}
	kind.Path = E2ELocalTestPath()
	s := machinery.NewScaffold(st.fs(),
		machinery.WithConfig(a.Config),
		machinery.WithBoilerplate(readBoilerplate(fsys)),
		machinery.WithResource(&res),
	)
	if err := s.Execute(&E2ELocalSuite{}, &E2ELocalTest{}, kind); err != nil {
		return nil, fmt.Errorf("cannot scaffold the local end-to-end test: %w", err)
	}
	paths := []string{E2ELocalSuitePath(), E2ELocalTestPath()}
	makefile, err := afero.ReadFile(fsys, "Makefile")
	if errors.Is(err, fs.ErrNotExist) {
		return paths, nil // not a go/v4 layout: no target to add
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read the Makefile: %w", err)
	}
	out, changed := AddMakefileTarget(makefile)
	out, envtest := AddMakefileEnvtest(out)
	if changed || envtest {
		if err := st.write("Makefile", out); err != nil {
			return nil, err
		}
		paths = append(paths, "Makefile")
	}
	return paths, nil
}

// hasOktController reports whether the controller exists and was already
// scaffolded by okt: it is then the user's, and is not overwritten.
func (a API) hasOktController(fsys afero.Fs) bool {
	path := ControllerPath(a.Config.IsMultiGroup(), a.Resource)
	src, err := afero.ReadFile(fsys, path)
	if err != nil {
		return false
	}
	return hasLine(string(src), markers(path)[MarkerResources].String())
}
