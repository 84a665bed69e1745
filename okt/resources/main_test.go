package resources_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/internal/testenv"
)

// cfg is the configuration of a real kube-apiserver and etcd (envtest, from
// $KUBEBUILDER_ASSETS: make test sets it) that the tests writing objects
// run against: server-side apply, field ownership and defaults are the
// API server's, which the fake client does not have. Nil under -short, where
// those tests are skipped.
var cfg *rest.Config

func TestMain(m *testing.M) { testenv.Main(m, run) }

func run(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		return m.Run()
	}
	// A custom resource of another operator, for the unstructured tests.
	env := &envtest.Environment{CRDs: []*apiextensionsv1.CustomResourceDefinition{testapi.ServiceMonitorCRD()}}
	c, err := env.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the control plane (make envtest-assets builds it, KUBEBUILDER_ASSETS names it):", err)
		return 1
	}
	defer func() { _ = env.Stop() }()
	cl, err := client.New(c, client.Options{Scheme: scheme.Scheme})
	for _, name := range []string{ns, "demo"} { // demo: the examples'
		if err == nil {
			err = cl.Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cfg = c
	return m.Run()
}

// exampleClient returns a client of the test API server, for the examples.
func exampleClient() client.Client {
	if cfg == nil {
		panic("the examples need the control plane (not with -short)")
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme.Scheme})
	if err != nil {
		panic(err)
	}
	return c
}
