package testenv

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"

	"github.com/okt-dev/okt/okt/cluster"

	"github.com/okt-dev/okt/okt/internal/testapi"
)

// Scheme returns a scheme with the built-in kinds, Widget and Gizmo.
func Scheme() *runtime.Scheme {
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = testapi.AddToScheme(s)
	return s
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

// Sequence returns the write requests counted since the last Reset in the
// order they were sent, as "METHOD path".
func (c *Counter) Sequence() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.writes...)
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
// scheduler, fake nodes) with the CRDs of package testapi installed, from the
// binaries in $KUBEBUILDER_ASSETS or the cache (make cluster-assets). Call
// Stop on the returned cluster when done.
func StartCluster(ctx context.Context) (*cluster.Cluster, *rest.Config, error) {
	dir, err := os.MkdirTemp("", "okt-testenv-crd-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	var crds []string
	for _, crdObj := range testapi.CRDs() {
		crdObj.APIVersion, crdObj.Kind = "apiextensions.k8s.io/v1", "CustomResourceDefinition"
		data, err := yaml.Marshal(crdObj)
		if err != nil {
			return nil, nil, err
		}
		crd := filepath.Join(dir, crdObj.Spec.Names.Plural+".yaml")
		if err := os.WriteFile(crd, data, 0o600); err != nil {
			return nil, nil, err
		}
		crds = append(crds, crd)
	}
	c, err := cluster.Start(ctx, cluster.Options{CRDDirectoryPaths: crds})
	if err != nil {
		return nil, nil, err
	}
	return c, c.Config(), nil
}
