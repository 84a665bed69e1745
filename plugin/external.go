package plugin

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/afero"
	"github.com/spf13/pflag"
	"sigs.k8s.io/kubebuilder/v4/pkg/config/store/yaml"
	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
	"sigs.k8s.io/kubebuilder/v4/pkg/model/resource"
	kbplugin "sigs.k8s.io/kubebuilder/v4/pkg/plugin"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugin/external"
	"sigs.k8s.io/kubebuilder/v4/pkg/plugins/golang"

	"github.com/okt-dev/okt/scaffolds"
)

// ExternalName is the file name kubebuilder looks for in
// <plugins root>/okt.orange.com/v1/.
const ExternalName = Name

// EnvExternal, set to any value, makes the okt binary answer the
// external-plugin protocol whatever its name.
const EnvExternal = "OKT_EXTERNAL_PLUGIN"

// IsExternalInvocation reports whether the program was started by
// kubebuilder as an external plugin: by its installed name (see
// InstallPath), or with $OKT_EXTERNAL_PLUGIN set.
func IsExternalInvocation(argv0 string) bool {
	return filepath.Base(argv0) == ExternalName || os.Getenv(EnvExternal) != ""
}

// RunExternal answers one request of kubebuilder's external-plugin protocol:
// a JSON PluginRequest read from in, a JSON PluginResponse written to out.
// Logs go to errw. Failures are reported in the response; the error is
// only for a response that could not be written.
func RunExternal(in io.Reader, out, errw io.Writer) error {
	logrus.SetOutput(errw)
	var req external.PluginRequest
	var resp external.PluginResponse
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		resp = errorResponse(req, fmt.Errorf("cannot decode the plugin request: %w", err))
	} else {
		resp = HandleExternal(req)
	}
	if resp.Error {
		fmt.Fprintf(errw, "%s: %s\n", Key, strings.Join(resp.ErrorMsgs, "; "))
	}
	return json.NewEncoder(out).Encode(resp)
}

func errorResponse(req external.PluginRequest, err error) external.PluginResponse {
	return external.PluginResponse{
		APIVersion: "v1alpha1",
		Command:    req.Command,
		Universe:   map[string]string{},
		Error:      true,
		ErrorMsgs:  []string{err.Error()},
	}
}

// HandleExternal runs the okt scaffolders for one external-plugin request,
// on an in-memory copy of the request's universe, and returns the files they
// changed.
func HandleExternal(req external.PluginRequest) external.PluginResponse {
	resp := external.PluginResponse{APIVersion: "v1alpha1", Command: req.Command, Universe: map[string]string{}}
	var err error
	switch req.Command {
	case "flags":
		resp.Flags = externalFlags(req.Args)
	case "metadata":
		resp.Metadata = externalMetadata(req.Args)
	case "init":
		resp.Universe, err = externalInit(req)
	case "create api":
		resp.Universe, err = externalAPI(req)
	case "create webhook", "edit":
		// Nothing to add: webhooks and edits are go/v4's.
	default:
		err = fmt.Errorf("unknown command %q", req.Command)
	}
	if err != nil {
		return errorResponse(req, err)
	}
	return resp
}

func subcommandOf(args []string) string {
	for _, a := range args {
		if strings.HasPrefix(a, "--") {
			return strings.TrimPrefix(a, "--")
		}
	}
	return ""
}

func externalFlags(args []string) []external.Flag {
	switch subcommandOf(args) {
	case "api":
		return []external.Flag{{Name: "lifecycle", Type: "bool", Default: "false", Usage: lifecycleUsage}}
	case "init":
	default:
		return nil
	}
	return []external.Flag{
		{Name: "okt-path", Type: "string", Default: defaultLibraryPath(), Usage: pathUsage},
		{Name: "okt-version", Type: "string",
			Usage: "version of the okt library to require instead of a local checkout"},
	}
}

func externalMetadata(args []string) kbplugin.SubcommandMetadata {
	switch subcommandOf(args) {
	case "init":
		return kbplugin.SubcommandMetadata{
			Description: strings.TrimSpace(initDescription),
			Examples: `  kubebuilder init --plugins go/v4,` + Key + ` --domain example.com \
    --repo example.com/memcached-operator --okt-path ../okt`,
		}
	case "api":
		return kbplugin.SubcommandMetadata{
			Description: "Adds status conditions to the API types, replaces the controller with one built on the okt library, " +
				"and adds the kind to the local end-to-end test (test/e2e-local, make test-e2e-local).",
			Examples: `  kubebuilder create api --group cache --version v1alpha1 --kind Memcached --resource --controller`,
		}
	default:
		return kbplugin.SubcommandMetadata{Description: "The okt plugin (" + Key + ") adds nothing here."}
	}
}

// parseArgs parses the flags okt needs from args, ignoring the others.
func parseArgs(args []string, bind func(fs *pflag.FlagSet)) error {
	fs := pflag.NewFlagSet("okt", pflag.ContinueOnError)
	fs.ParseErrorsWhitelist.UnknownFlags = true
	fs.SetOutput(io.Discard)
	bind(fs)
	return fs.Parse(args)
}

func universeFs(u map[string]string) (afero.Fs, error) {
	fsys := afero.NewMemMapFs()
	for p, content := range u {
		if err := fsys.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := afero.WriteFile(fsys, p, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	return fsys, nil
}

func changedFiles(fsys afero.Fs, paths []string) (map[string]string, error) {
	out := map[string]string{}
	for _, p := range paths {
		b, err := afero.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		out[p] = string(b)
	}
	return out, nil
}

func externalInit(req external.PluginRequest) (map[string]string, error) {
	path, ver := defaultLibraryPath(), ""
	var flags *pflag.FlagSet
	if err := parseArgs(req.Args, func(fs *pflag.FlagSet) {
		flags = fs
		fs.StringVar(&path, "okt-path", path, "")
		fs.StringVar(&ver, "okt-version", "", "")
	}); err != nil {
		return nil, err
	}
	if ver != "" && !flags.Changed("okt-path") && os.Getenv(EnvPath) == "" {
		path = "" // --okt-version alone: the build-time default does not apply.
	}
	if ver == "" || path != "" {
		abs, err := checkLibrary(path)
		if err != nil {
			return nil, err
		}
		path = abs
	}
	fsys, err := universeFs(req.Universe)
	if err != nil {
		return nil, err
	}
	changed, err := (scaffolds.Init{Path: path, Version: ver}).Scaffold(fsys)
	if err != nil {
		return nil, err
	}
	return changedFiles(fsys, changed)
}

func externalAPI(req external.PluginRequest) (map[string]string, error) {
	var group, version, kind, plural string
	var lifecycle bool
	if err := parseArgs(req.Args, func(fs *pflag.FlagSet) {
		fs.StringVar(&group, "group", "", "")
		fs.StringVar(&version, "version", "", "")
		fs.StringVar(&kind, "kind", "", "")
		fs.StringVar(&plural, "plural", "", "")
		fs.BoolVar(&lifecycle, "lifecycle", false, "")
	}); err != nil {
		return nil, err
	}
	if version == "" || kind == "" {
		return nil, fmt.Errorf("create api needs --version and --kind")
	}
	fsys, err := universeFs(req.Universe)
	if err != nil {
		return nil, err
	}
	store := yaml.New(machinery.Filesystem{FS: fsys})
	if err := store.Load(); err != nil {
		return nil, fmt.Errorf("cannot read PROJECT: %w", err)
	}
	cfg := store.Config()
	res := resource.Resource{
		GVK:      resource.GVK{Group: group, Domain: cfg.GetDomain(), Version: version, Kind: kind},
		Plural:   resource.RegularPlural(kind),
		API:      &resource.API{},
		Webhooks: &resource.Webhooks{},
	}
	golang.Options{DoAPI: true, DoController: true, Namespaced: true, Plural: plural}.UpdateResource(&res, cfg)
	// go/v4 ran first: what it wrote tells what was asked (--resource,
	// --controller), whatever the answers to its prompts.
	multi := cfg.IsMultiGroup()
	types, err := afero.Exists(fsys, scaffolds.TypesPath(multi, res))
	if err != nil {
		return nil, err
	}
	ctrl, err := afero.Exists(fsys, scaffolds.ControllerPath(multi, res))
	if err != nil {
		return nil, err
	}
	if !types {
		return map[string]string{}, nil
	}
	// --lifecycle is checked here, after go/v4 ran: an external plugin is
	// asked nothing before (the okt CLI refuses bad combinations first).
	changed, err := scaffolds.API{Config: cfg, Resource: res, Types: true, Controller: ctrl, Lifecycle: lifecycle}.Scaffold(fsys)
	if err != nil {
		return nil, err
	}
	return changedFiles(fsys, changed)
}
