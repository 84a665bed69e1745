package scaffolds

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"

	"sigs.k8s.io/kubebuilder/v4/pkg/machinery"
)

// The local end-to-end test of a project: test/e2e-local runs the manager,
// built from the project, as a process against okt's local cluster
// (package okt/cluster), applies the samples of the okt kinds and waits for
// them to be Ready with the Pods of their workloads Running. `make
// test-e2e-local` runs it. go/v4's `make test` leaves it out (it skips every
// package whose path contains /e2e), and kubebuilder's Kind-based test/e2e
// and `make test-e2e` stay as they are.
const (
	// E2ELocalDir is the folder of the local end-to-end test.
	E2ELocalDir = "test/e2e-local"
	// MarkerE2ELocalKinds is the marker of the okt kinds in the test, where
	// `create api` adds each kind whose controller it scaffolds.
	MarkerE2ELocalKinds = "e2e-local-kinds"
	// MakefileTarget is the Makefile target that runs the test.
	MakefileTarget = "test-e2e-local"
)

// E2ELocalSuitePath returns the path of the Ginkgo suite of the local
// end-to-end test.
func E2ELocalSuitePath() string { return filepath.Join(E2ELocalDir, "e2e_local_suite_test.go") }

// E2ELocalTestPath returns the path of the local end-to-end test.
func E2ELocalTestPath() string { return filepath.Join(E2ELocalDir, "e2e_local_test.go") }

// E2ELocalSuite is the Ginkgo suite of the local end-to-end test: it builds
// the manager, starts the local cluster with the project's CRDs and runs the
// manager against it; it stops both afterwards. Written once: the user's
// edits are kept.
type E2ELocalSuite struct {
	machinery.TemplateMixin
	machinery.BoilerplateMixin
	machinery.ProjectNameMixin
}

var _ machinery.Template = &E2ELocalSuite{}

// SetTemplateDefaults implements machinery.Template.
func (f *E2ELocalSuite) SetTemplateDefaults() error {
	if f.Path == "" {
		f.Path = E2ELocalSuitePath()
	}
	f.TemplateBody = e2eLocalSuiteTemplate
	f.IfExistsAction = machinery.SkipFile
	return nil
}

// E2ELocalTest is the spec of the local end-to-end test: the samples of the
// okt kinds become Ready, with their Pods Running. Written once; kinds are
// added at its marker by E2ELocalKind.
type E2ELocalTest struct {
	machinery.TemplateMixin
	machinery.BoilerplateMixin
}

var _ machinery.Template = &E2ELocalTest{}

// SetTemplateDefaults implements machinery.Template.
func (f *E2ELocalTest) SetTemplateDefaults() error {
	if f.Path == "" {
		f.Path = E2ELocalTestPath()
	}
	f.TemplateBody = e2eLocalTestTemplate
	f.IfExistsAction = machinery.SkipFile
	return nil
}

// E2ELocalKind adds the resource's kind to the okt kinds of the local
// end-to-end test, at its "// +okt:scaffold:e2e-local-kinds" marker; a kind
// already there is not added again.
type E2ELocalKind struct {
	machinery.InserterMixin
	machinery.ResourceMixin
}

var _ machinery.Inserter = &E2ELocalKind{}

func (f *E2ELocalKind) marker() machinery.Marker {
	return machinery.NewMarkerWithPrefixFor(MarkerPrefix, E2ELocalTestPath(), MarkerE2ELocalKinds)
}

// GetPath implements machinery.Builder.
func (f *E2ELocalKind) GetPath() string {
	if f.Path == "" {
		return E2ELocalTestPath()
	}
	return f.Path
}

// GetMarkers implements machinery.Inserter.
func (f *E2ELocalKind) GetMarkers() []machinery.Marker { return []machinery.Marker{f.marker()} }

// GetCodeFragments implements machinery.Inserter.
func (f *E2ELocalKind) GetCodeFragments() machinery.CodeFragmentsMap {
	return machinery.CodeFragmentsMap{f.marker(): {E2ELocalKindFragment(f.Resource.QualifiedGroup(), f.Resource.Version, f.Resource.Kind)}}
}

// E2ELocalKindFragment is the line that names a kind among the okt kinds of
// the local end-to-end test.
func E2ELocalKindFragment(group, version, kind string) string {
	return fmt.Sprintf("\t{Group: %q, Version: %q, Kind: %q},\n", group, version, kind)
}

// makefileTargetRE finds the target in a Makefile.
var makefileTargetRE = regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(MakefileTarget) + `:`)

// MakefileFragment is what AddMakefileTarget adds to go/v4's Makefile.
const MakefileFragment = `# The local e2e tests run the manager as a process against okt's local
# cluster (etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
# kwok fake nodes, from package github.com/okt-dev/okt/okt/cluster): offline,
# without Docker or Kind. The cluster's binaries are taken from
# KUBEBUILDER_ASSETS when that folder holds them all, else from okt's cache;
# ` + "`make cluster-assets`" + ` in the okt checkout builds them and prints their folder.
.PHONY: ` + MakefileTarget + `
` + MakefileTarget + `: manifests generate fmt vet ## Run the e2e tests on okt's local cluster, offline (cluster binaries: okt's make cluster-assets).
	go test ./test/e2e-local/ -v -ginkgo.v
`

// AddMakefileTarget adds the test-e2e-local target to a go/v4 Makefile:
// after the Kind-based e2e targets (before the lint target), else at its
// end. It reports whether it changed the Makefile; one that already has the
// target is returned as it is.
func AddMakefileTarget(makefile []byte) ([]byte, bool) {
	if makefileTargetRE.Match(makefile) {
		return makefile, false
	}
	for _, anchor := range []string{"\n.PHONY: lint\n", "\n##@ Build\n"} {
		if i := bytes.Index(makefile, []byte(anchor)); i >= 0 {
			var out bytes.Buffer
			out.Write(makefile[:i+1])
			out.WriteString(MakefileFragment)
			out.WriteString("\n")
			out.Write(makefile[i+1:])
			return out.Bytes(), true
		}
	}
	out := append([]byte(nil), makefile...)
	if len(out) > 0 && !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	if len(out) > 0 {
		out = append(out, '\n')
	}
	return append(out, MakefileFragment...), true
}

const e2eLocalSuiteTemplate = `{{ .Boilerplate }}

package e2elocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/okt-dev/okt/okt/cluster"
)

// The local e2e tests run the manager, built from this project, as a process
// against okt's local cluster: etcd and kube-apiserver (envtest),
// kube-controller-manager, kube-scheduler and kwok fake nodes, so that
// Deployments and StatefulSets get Pods that are Running and Ready (kwok
// fakes their lifecycle: no container runs). No Docker, Kind or network is
// needed. The cluster's binaries are taken from KUBEBUILDER_ASSETS when that
// folder holds them all, else from okt's cache: ` + "`make cluster-assets`" + ` in the
// okt checkout builds them. Run the tests with ` + "`make test-e2e-local`" + `.

var (
	// projectDir is the root folder of the project.
	projectDir string
	// testCluster is the local cluster the manager runs against.
	testCluster *cluster.Cluster
	// k8sClient is a client of the cluster's admin.
	k8sClient client.Client
	// manager is the manager's process.
	manager *managerProcess
)

// TestE2ELocal runs the local end-to-end test suite.
func TestE2ELocal(t *testing.T) {
	RegisterFailHandler(Fail)
	_, _ = fmt.Fprintf(GinkgoWriter, "Starting {{ .ProjectName }} local e2e test suite\n")
	RunSpecs(t, "e2e-local suite")
}

var _ = BeforeSuite(func() {
	logf.SetLogger(GinkgoLogr)

	var err error
	projectDir, err = filepath.Abs(filepath.Join("..", ".."))
	Expect(err).NotTo(HaveOccurred())

	By("building the manager")
	binary := filepath.Join(projectDir, "bin", "manager")
	build := exec.Command("go", "build", "-o", binary, "./cmd")
	build.Dir = projectDir
	out, err := build.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), "go build failed:\n%s", out)

	By("starting the local cluster with the project's CRDs")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	testCluster, err = cluster.Start(ctx, cluster.Options{
		CRDDirectoryPaths: []string{filepath.Join(projectDir, "config", "crd", "bases")},
	})
	Expect(err).NotTo(HaveOccurred(), "cannot start the local cluster")
	DeferCleanup(func() {
		By("stopping the local cluster")
		Expect(testCluster.Stop()).To(Succeed())
	})

	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	k8sClient, err = client.New(testCluster.Config(), client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())

	By("running the manager against the local cluster")
	manager, err = startManager(binary, testCluster.KubeconfigPath())
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func() {
		By("stopping the manager")
		Expect(manager.stop()).To(Succeed())
	})
})

// After a failed spec, the manager's log tells what it did.
var _ = AfterEach(func() {
	if CurrentSpecReport().Failed() && manager != nil {
		_, _ = fmt.Fprintf(GinkgoWriter, "The manager's log (%s):\n%s\n", manager.logPath, manager.log())
	}
})

// managerProcess is the manager, run as a child process, its output in a
// log file.
type managerProcess struct {
	cmd     *exec.Cmd
	logDir  string
	logPath string
	done    chan struct{} // closed when the process has ended
	err     error         // why it ended, once done is closed
}

// startManager runs the manager binary with the kubeconfig, without the
// metrics and health probe servers (no port to choose).
func startManager(binary, kubeconfig string) (*managerProcess, error) {
	dir, err := os.MkdirTemp("", "e2e-local-manager-")
	if err != nil {
		return nil, err
	}
	m := &managerProcess{logDir: dir, logPath: filepath.Join(dir, "manager.log"), done: make(chan struct{})}
	logFile, err := os.Create(m.logPath)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	m.cmd = exec.Command(binary, "--metrics-bind-address=0", "--health-probe-bind-address=0")
	m.cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	m.cmd.Stdout, m.cmd.Stderr = logFile, logFile
	// A process group of its own, which the cluster's watchdog kills if this
	// test process dies (even killed with SIGKILL): no manager left behind.
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		_ = logFile.Close()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("cannot start the manager: %w", err)
	}
	testCluster.Adopt(m.cmd.Process.Pid, dir)
	go func() {
		m.err = m.cmd.Wait()
		_ = logFile.Close()
		close(m.done)
	}()
	return m, nil
}

// log returns the manager's output so far.
func (m *managerProcess) log() string {
	b, err := os.ReadFile(m.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read the log: %v)", err)
	}
	return string(b)
}

// exited returns an error, with the manager's log, once the manager has
// ended; nil while it runs.
func (m *managerProcess) exited() error {
	select {
	case <-m.done:
		return fmt.Errorf("the manager has exited (%v); its log:\n%s", m.err, m.log())
	default:
		return nil
	}
}

// stop sends SIGTERM to the manager and waits for it to end (it is killed
// after 30 seconds), then removes its log.
func (m *managerProcess) stop() error {
	defer func() { _ = os.RemoveAll(m.logDir) }()
	select {
	case <-m.done:
		return nil // it ended early: the specs have reported it
	default:
	}
	if err := m.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = m.cmd.Process.Kill()
	}
	select {
	case <-m.done:
	case <-time.After(30 * time.Second):
		_ = m.cmd.Process.Kill()
		<-m.done
		return fmt.Errorf("the manager did not stop within 30s of SIGTERM and was killed; its log:\n%s", m.log())
	}
	if m.err != nil {
		return fmt.Errorf("the manager failed on SIGTERM (%v); its log:\n%s", m.err, m.log())
	}
	return nil
}
`

const e2eLocalTestTemplate = `{{ .Boilerplate }}

package e2elocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt"
)

// oktKinds are the kinds whose controller is built on okt: ` + "`okt create api`" + `
// adds each one it scaffolds at the marker. Their samples in config/samples
// are applied and must become Ready. Samples of other kinds (a go/v4
// controller sets no Ready condition) are not applied: add a kind here once
// its controller reports Ready.
var oktKinds = []schema.GroupVersionKind{
	// +okt:scaffold:e2e-local-kinds
}

const (
	// sampleNamespace is the namespace of the samples that name none.
	sampleNamespace = "default"
	// readyTimeout bounds the wait for each sample to be Ready, and then for
	// its Pods to be Running.
	readyTimeout = 2 * time.Minute
)

var _ = Describe("Manager on the local cluster", func() {
	It("should bring every sample to Ready, with the Pods of its workloads Running", func(ctx SpecContext) {
		samples, err := readSamples(filepath.Join(projectDir, "config", "samples"))
		Expect(err).NotTo(HaveOccurred())

		var applied []*unstructured.Unstructured
		for _, sample := range samples {
			gvk := sample.GroupVersionKind()
			if !slices.Contains(oktKinds, gvk) {
				By(fmt.Sprintf("skipping the sample %s %s: %s is not an okt kind", gvk.Kind, sample.GetName(), gvk))
				continue
			}
			namespaced, err := k8sClient.IsObjectNamespaced(sample)
			Expect(err).NotTo(HaveOccurred())
			if namespaced && sample.GetNamespace() == "" {
				sample.SetNamespace(sampleNamespace)
			}
			By(fmt.Sprintf("applying the sample %s %s", gvk.Kind, client.ObjectKeyFromObject(sample)))
			Expect(k8sClient.Create(ctx, sample)).To(Succeed())
			applied = append(applied, sample)
		}
		Expect(applied).NotTo(BeEmpty(), "config/samples has no sample of the okt kinds %v", oktKinds)

		for _, sample := range applied {
			key, kind := client.ObjectKeyFromObject(sample), sample.GetKind()
			By(fmt.Sprintf("waiting for the %s %s to be Ready", kind, key))
			Eventually(func(g Gomega) {
				g.Expect(manager.exited()).To(Succeed())
				g.Expect(testCluster.Err()).To(Succeed())
				g.Expect(k8sClient.Get(ctx, key, sample)).To(Succeed())
				ready := readyCondition(g, sample)
				g.Expect(ready).NotTo(BeNil(), "%s %s has no Ready condition yet", kind, key)
				g.Expect(ready.Status).To(Equal(metav1.ConditionTrue), "Ready is %s: %s: %s", ready.Status, ready.Reason, ready.Message)
				g.Expect(ready.ObservedGeneration).To(Equal(sample.GetGeneration()), "Ready is about an older generation")
			}).WithContext(ctx).WithTimeout(readyTimeout).WithPolling(time.Second).Should(Succeed())

			By(fmt.Sprintf("checking that the Pods of the %s's Deployments and StatefulSets are Running", kind))
			var report []string
			Eventually(func(g Gomega) {
				report = nil
				for _, w := range ownedWorkloads(ctx, g, sample) {
					pods := &corev1.PodList{}
					g.Expect(k8sClient.List(ctx, pods, client.InNamespace(sample.GetNamespace()),
						client.MatchingLabelsSelector{Selector: w.selector})).To(Succeed())
					var running []string
					for _, pod := range pods.Items {
						if pod.DeletionTimestamp != nil {
							continue
						}
						g.Expect(pod.Status.Phase).To(Equal(corev1.PodRunning), "the Pod %s of the %s", pod.Name, w.name)
						running = append(running, pod.Name)
					}
					g.Expect(running).To(HaveLen(int(w.replicas)), "the Pods of the %s", w.name)
					report = append(report, fmt.Sprintf("%s: Pods %v Running", w.name, running))
				}
			}).WithContext(ctx).WithTimeout(readyTimeout).WithPolling(time.Second).Should(Succeed())
			for _, line := range report {
				_, _ = fmt.Fprintln(GinkgoWriter, line)
			}
		}
	})
})

// readSamples returns the objects of the YAML files in dir but its
// kustomization.yaml, in the order of their file names.
func readSamples(dir string) ([]*unstructured.Unstructured, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	var samples []*unstructured.Unstructured
	for _, file := range files {
		if filepath.Base(file) == "kustomization.yaml" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		decoder := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			obj := &unstructured.Unstructured{}
			if err := decoder.Decode(&obj.Object); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
			if len(obj.Object) == 0 {
				continue // an empty document
			}
			if obj.GetAPIVersion() == "" || obj.GetKind() == "" {
				return nil, fmt.Errorf("%s: an object without apiVersion or kind", file)
			}
			// go/v4 writes "spec:" with only a comment under it (null), and
			// since kubebuilder v4.16 the spec is required: send it empty.
			if spec, ok := obj.Object["spec"]; ok && spec == nil {
				obj.Object["spec"] = map[string]any{}
			}
			samples = append(samples, obj)
		}
	}
	return samples, nil
}

// readyCondition returns the Ready condition in the object's status, or nil.
func readyCondition(g Gomega, obj *unstructured.Unstructured) *metav1.Condition {
	raw, _, err := unstructured.NestedSlice(obj.Object, "status", "conditions")
	g.Expect(err).NotTo(HaveOccurred())
	var conditions []metav1.Condition
	for _, item := range raw {
		fields, ok := item.(map[string]any)
		if !ok {
			continue
		}
		var condition metav1.Condition
		g.Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(fields, &condition)).To(Succeed())
		conditions = append(conditions, condition)
	}
	return meta.FindStatusCondition(conditions, okt.ConditionReady)
}

// workload is a Deployment or StatefulSet: its Pods and how many it wants.
type workload struct {
	name     string
	selector labels.Selector
	replicas int32
}

// ownedWorkloads returns the Deployments and StatefulSets the object
// controls.
func ownedWorkloads(ctx context.Context, g Gomega, owner *unstructured.Unstructured) []workload {
	var out []workload
	add := func(obj metav1.Object, kind string, selector *metav1.LabelSelector, replicas *int32) {
		if !metav1.IsControlledBy(obj, owner) {
			return
		}
		s, err := metav1.LabelSelectorAsSelector(selector)
		g.Expect(err).NotTo(HaveOccurred())
		n := int32(1)
		if replicas != nil {
			n = *replicas
		}
		out = append(out, workload{name: kind + " " + obj.GetName(), selector: s, replicas: n})
	}
	deployments := &appsv1.DeploymentList{}
	g.Expect(k8sClient.List(ctx, deployments, client.InNamespace(owner.GetNamespace()))).To(Succeed())
	for i := range deployments.Items {
		d := &deployments.Items[i]
		add(d, "Deployment", d.Spec.Selector, d.Spec.Replicas)
	}
	statefulSets := &appsv1.StatefulSetList{}
	g.Expect(k8sClient.List(ctx, statefulSets, client.InNamespace(owner.GetNamespace()))).To(Succeed())
	for i := range statefulSets.Items {
		s := &statefulSets.Items[i]
		add(s, "StatefulSet", s.Spec.Selector, s.Spec.Replicas)
	}
	return out
}
`
