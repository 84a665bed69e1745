package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/yaml"

	"github.com/okt-dev/okt/okt/cluster"

	"github.com/okt-dev/okt/okt/internal/testapi"
)

// Assets returns the folder of kube-apiserver and etcd: $KUBEBUILDER_ASSETS
// when set, else the folder that hack/controlplane.sh prints (building the
// binaries the first time).
func Assets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("bash", filepath.Join(root, "hack", "controlplane.sh"))
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("hack/controlplane.sh failed: %v\n%s", err, errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "hack", "controlplane.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("cannot find hack/controlplane.sh above the working directory")
		}
		dir = parent
	}
}

// Scheme returns a scheme with the built-in kinds and Widget.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = testapi.AddToScheme(s)
	return s
}

// Start starts a control plane with the Widget CRD installed. Call Stop on
// the returned environment when done.
func Start() (*envtest.Environment, *rest.Config, error) {
	assets, err := Assets()
	if err != nil {
		return nil, nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDs:                  []*apiextensionsv1.CustomResourceDefinition{testapi.CRD()},
		ErrorIfCRDPathMissing: false,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("cannot start the control plane from %s: %w", assets, err)
	}
	return env, cfg, nil
}

// Counter counts the requests that go through a transport, by verb.
type Counter struct {
	mu     sync.Mutex
	writes []string
	reads  int
}

// Wrap returns a config whose transport counts requests in c.
func (c *Counter) Wrap(cfg *rest.Config) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		return roundTripper(func(req *http.Request) (*http.Response, error) {
			c.count(req)
			return rt.RoundTrip(req)
		})
	}
	return cfg
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (c *Counter) count(req *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.reads++
	default:
		c.writes = append(c.writes, req.Method+" "+req.URL.Path)
	}
}

// Writes returns the write requests (every method but GET, HEAD and
// OPTIONS) counted since the last Reset, as "METHOD path", sorted.
func (c *Counter) Writes() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := append([]string(nil), c.writes...)
	sort.Strings(out)
	return out
}

// Reads returns the number of read requests since the last Reset.
func (c *Counter) Reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads
}

// Reset sets the counts to zero.
func (c *Counter) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes, c.reads = nil, 0
}

// StartCluster starts a local cluster (package cluster: controllers,
// scheduler, fake nodes) with the Widget CRD installed, from the binaries in
// $KUBEBUILDER_ASSETS or the cache (make cluster-assets). Call Stop on the
// returned cluster when done.
func StartCluster(ctx context.Context) (*cluster.Cluster, *rest.Config, error) {
	dir, err := os.MkdirTemp("", "okt-testenv-crd-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	crdObj := testapi.CRD()
	crdObj.APIVersion, crdObj.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
	data, err := yaml.Marshal(crdObj)
	if err != nil {
		return nil, nil, err
	}
	crd := filepath.Join(dir, "widgets.yaml")
	if err := os.WriteFile(crd, data, 0o600); err != nil {
		return nil, nil, err
	}
	c, err := cluster.Start(ctx, cluster.Options{CRDDirectoryPaths: []string{crd}})
	if err != nil {
		return nil, nil, err
	}
	return c, c.Config(), nil
}
