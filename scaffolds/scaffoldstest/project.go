package scaffoldstest

import (
	"io"
	"io/fs"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/spf13/afero"
	"sigs.k8s.io/kubebuilder/v4/pkg/config"
	cfgv3 "sigs.k8s.io/kubebuilder/v4/pkg/config/v3"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang"
	golangv4scaffolds "sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang/v4/scaffolds"
)

// Repo is the module path of the projects NewProject makes.
const Repo = "example.com/memcached-operator"

// NewProject returns an in-memory project scaffolded by go/v4's init, with
// domain example.com, and its configuration.
func NewProject(t testing.TB) (afero.Fs, config.Config) {
	t.Helper()
	logrus.SetOutput(io.Discard)
	fsys := afero.NewMemMapFs()
	cfg := cfgv3.New()
	must(t, cfg.SetDomain("example.com"))
	must(t, cfg.SetRepository(Repo))
	must(t, cfg.SetProjectName("memcached-operator"))
	must(t, cfg.SetPluginChain([]string{"go.kubebuilder.io/v4"}))
	s := golangv4scaffolds.NewInitScaffolder(cfg, "apache2", "The okt authors", "", "okt")
	s.InjectFS(machinery.Filesystem{FS: fsys})
	must(t, s.Scaffold())
	return fsys, cfg
}

// AddAPI runs go/v4's create api (types and controller) for the kind and
// returns the resource as the CLI would pass it to plugins.
func AddAPI(t testing.TB, fsys afero.Fs, cfg config.Config, group, version, kind string) resource.Resource {
	t.Helper()
	res := NewResource(cfg, group, version, kind)
	s := golangv4scaffolds.NewAPIScaffolder(cfg, res, false)
	s.InjectFS(machinery.Filesystem{FS: fsys})
	must(t, s.Scaffold())
	must(t, cfg.UpdateResource(res))
	return res
}

// NewResource returns the resource the CLI builds for `create api
// --resource --controller --namespaced`.
func NewResource(cfg config.Config, group, version, kind string) resource.Resource {
	res := resource.Resource{
		GVK:      resource.GVK{Group: group, Domain: cfg.GetDomain(), Version: version, Kind: kind},
		Plural:   resource.RegularPlural(kind),
		API:      &resource.API{},
		Webhooks: &resource.Webhooks{},
	}
	golang.Options{DoAPI: true, DoController: true, Namespaced: true}.UpdateResource(&res, cfg)
	return res
}

// Snapshot returns every file of fsys by path.
func Snapshot(t testing.TB, fsys afero.Fs) map[string]string {
	t.Helper()
	files := map[string]string{}
	must(t, afero.Walk(fsys, ".", func(path string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() {
			return nil
		}
		b, err := afero.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		files[path] = string(b)
		return nil
	}))
	return files
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// SaveConfig writes cfg to the PROJECT file of fsys.
func SaveConfig(t testing.TB, fsys afero.Fs, cfg config.Config) {
	t.Helper()
	b, err := cfg.MarshalYAML()
	must(t, err)
	must(t, afero.WriteFile(fsys, "PROJECT", b, 0o644))
}
