package cluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Options configure a cluster. The zero value is valid: one fake node, the
// binaries found as the package documentation says, the kubeconfig in the
// cluster's temporary folder.
type Options struct {
	// BinaryDir is the folder of kube-apiserver, etcd,
	// kube-controller-manager, kube-scheduler and kwok. Empty: see the
	// package documentation.
	BinaryDir string

	// Nodes are the fake nodes to create. nil means one node with Node's
	// defaults; an empty, non-nil list is an error (a cluster needs a node).
	Nodes []Node

	// Kubeconfig is a path where Start also writes the cluster admin's
	// kubeconfig (KubeconfigPath then returns it), and Stop removes it. Start
	// refuses to overwrite a file that is not a kubeconfig of an okt cluster.
	// Empty: only Dir()/kubeconfig.
	Kubeconfig string

	// CRDDirectoryPaths are folders (or files) of CustomResourceDefinitions
	// to install before Start returns, as envtest does.
	CRDDirectoryPaths []string

	// TempDir is the parent of the cluster's temporary folder. Empty: the
	// system's (os.TempDir).
	TempDir string

	// StartTimeout bounds Start. Zero: two minutes.
	StartTimeout time.Duration

	// APIServerFlags are extra kube-apiserver flags, without their leading
	// dashes (for example "audit-log-path"), set after okt's own; a flag
	// envtest or okt sets is replaced.
	APIServerFlags map[string]string
}

// Node is a fake node (kwok plays its kubelet).
type Node struct {
	// Name is the node's name. Empty: okt-node-<n>, n counting from 1.
	Name string
	// Labels are added to the node's defaults (kubernetes.io/os=linux,
	// kubernetes.io/arch, kubernetes.io/hostname=<name>, type=kwok), and win.
	Labels map[string]string
	// Capacity is the node's capacity and allocatable resources. Empty:
	// kwok's (cpu 1k, memory 1Ti, pods 1M), which never block scheduling.
	Capacity corev1.ResourceList
}

// Cluster is a running local cluster.
type Cluster struct {
	dir        string
	binDir     string
	env        *envtest.Environment
	cfg        *rest.Config
	kubeconfig string // in dir
	userConfig string // Options.Kubeconfig, absolute; "" when unset
	nodes      []string
	reaper     *reaper
	components []*component
	logFiles   []*os.File
	outside    []string // files envtest wrote outside dir

	provisionerStop context.CancelFunc
	provisionerDone chan struct{}

	stopOnce sync.Once
	stopErr  error
}

const (
	// contextName names the cluster, user and context of the kubeconfigs.
	contextName = "okt-cluster"
	// nodeAnnotation marks the nodes kwok manages.
	nodeAnnotation = "kwok.x-k8s.io/node"
	// serviceRange is where Services get their IPs, away from the Pods'
	// (kwok's --cidr).
	serviceRange = "10.0.0.0/16"
	// stopGrace is how long a component has to end after SIGTERM.
	stopGrace = 10 * time.Second
)

// Start starts a local cluster and returns once its nodes are Ready (and
// untainted) and the CRDs installed. ctx bounds the start only: the cluster
// runs until Stop. On error nothing is left running and the temporary folder
// is removed.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	nodes, err := nodesOf(opts.Nodes)
	if err != nil {
		return nil, err
	}
	for name := range opts.APIServerFlags {
		if name == "" || strings.HasPrefix(name, "-") {
			return nil, fmt.Errorf("APIServerFlags: %q is not a flag name: give it without its dashes", name)
		}
	}
	binDir, err := binaryDir(opts.BinaryDir)
	if err != nil {
		return nil, err
	}
	userConfig, err := checkKubeconfigPath(opts.Kubeconfig)
	if err != nil {
		return nil, err
	}
	timeout := opts.StartTimeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	dir, err := os.MkdirTemp(opts.TempDir, "okt-cluster-")
	if err != nil {
		return nil, fmt.Errorf("cannot create the cluster's temporary folder: %w", err)
	}
	// The folder is absolute and resolved, as the watchdog looks for it in
	// command lines.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if resolved, err := filepath.EvalSymlinks(dir); err == nil {
		dir = resolved
	}
	c := &Cluster{dir: dir, binDir: binDir, userConfig: userConfig, kubeconfig: filepath.Join(dir, "kubeconfig")}
	defer func() {
		if err == nil {
			return
		}
		if stopErr := c.stop(true); stopErr != nil {
			err = fmt.Errorf("%w (and stopping what had started: %v)", err, stopErr)
		}
		if _, statErr := os.Stat(c.LogDir()); statErr == nil {
			err = fmt.Errorf("%w\nnothing is left running; the components' logs are kept in %s", err, c.LogDir())
		}
	}()
	if c.reaper, err = startReaper(dir); err != nil {
		return nil, err
	}
	for _, sub := range []string{"logs", "apiserver", "etcd", "kubeconfigs", "home", "tmp", "flexvolume"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, err
		}
	}

	if err := c.startControlPlane(opts.CRDDirectoryPaths, opts.APIServerFlags, timeout); err != nil {
		return nil, err
	}
	if err := c.startComponents(); err != nil {
		return nil, err
	}
	clientset, err := kubernetes.NewForConfig(c.cfg)
	if err != nil {
		return nil, err
	}
	if err := c.createNodes(ctx, clientset, nodes); err != nil {
		return nil, err
	}
	if err := c.createStorageClass(ctx, clientset); err != nil {
		return nil, err
	}
	if err := c.waitForNodes(ctx, clientset); err != nil {
		return nil, err
	}
	provisionerCtx, stop := context.WithCancel(context.Background())
	c.provisionerStop, c.provisionerDone = stop, make(chan struct{})
	go func() {
		defer close(c.provisionerDone)
		provision(provisionerCtx, clientset)
	}()

	admin, err := kubeconfigFor(c.cfg)
	if err != nil {
		return nil, err
	}
	if err := writeFile(c.kubeconfig, admin); err != nil {
		return nil, err
	}
	if userConfig != "" {
		if err := writeFile(userConfig, admin); err != nil {
			return nil, fmt.Errorf("cannot write the kubeconfig %s: %w", userConfig, err)
		}
	}
	return c, nil
}

// nodesOf checks the nodes of the options and names them.
func nodesOf(nodes []Node) ([]Node, error) {
	if nodes == nil {
		nodes = []Node{{}}
	}
	if len(nodes) == 0 {
		return nil, errors.New("Options.Nodes is empty: a cluster needs at least one node (leave it nil for one default node)")
	}
	named := make([]Node, len(nodes))
	seen := map[string]bool{}
	for i, n := range nodes {
		if n.Name == "" {
			n.Name = fmt.Sprintf("okt-node-%d", i+1)
		}
		if msgs := validation.IsDNS1123Subdomain(n.Name); len(msgs) > 0 {
			return nil, fmt.Errorf("node name %q is not valid: %s", n.Name, strings.Join(msgs, "; "))
		}
		if seen[n.Name] {
			return nil, fmt.Errorf("two nodes are named %q: node names must be unique", n.Name)
		}
		seen[n.Name] = true
		named[i] = n
	}
	return named, nil
}

// checkKubeconfigPath checks that path (if any) can be written without
// overwriting anybody's file, and returns it absolute.
func checkKubeconfigPath(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("kubeconfig path %q: %w", path, err)
	}
	if info, err := os.Stat(abs); err == nil {
		if info.IsDir() {
			return "", fmt.Errorf("cannot write the kubeconfig to %s: it is a folder; give a file path", abs)
		}
		if !isOurKubeconfig(abs) {
			return "", fmt.Errorf("cannot write the kubeconfig to %s: the file exists and is not the kubeconfig of an okt cluster; remove it or choose another path", abs)
		}
	}
	probe, err := os.CreateTemp(filepath.Dir(abs), ".okt-kubeconfig-*")
	if err != nil {
		return "", fmt.Errorf("cannot write the kubeconfig to %s: %w; choose a path in a writable folder", abs, err)
	}
	_ = probe.Close()
	_ = os.Remove(probe.Name())
	return abs, nil
}

// startControlPlane starts etcd and kube-apiserver with envtest, their files
// and logs in the cluster's folder, and installs the CRDs.
func (c *Cluster) startControlPlane(crds []string, flags map[string]string, timeout time.Duration) error {
	apiserverLog, err := c.logFile(apiserverBinary)
	if err != nil {
		return err
	}
	etcdLog, err := c.logFile(etcdBinary)
	if err != nil {
		return err
	}
	c.env = &envtest.Environment{
		BinaryAssetsDirectory: c.binDir,
		CRDDirectoryPaths:     crds,
		ErrorIfCRDPathMissing: true,
		ControlPlane: envtest.ControlPlane{
			APIServer: &envtest.APIServer{CertDir: filepath.Join(c.dir, "apiserver"), Out: apiserverLog, Err: apiserverLog},
			Etcd:      &envtest.Etcd{DataDir: filepath.Join(c.dir, "etcd"), Out: etcdLog, Err: etcdLog},
		},
		ControlPlaneStartTimeout: timeout,
		ControlPlaneStopTimeout:  stopGrace,
	}
	// Without it the apiserver logs every ten seconds that 127.0.0.1 may not
	// be an endpoint of the kubernetes Service.
	c.env.ControlPlane.APIServer.Configure().Set("endpoint-reconciler-type", "none")
	// envtest's /24 holds 254 Services; a cluster holds 65,534 with this.
	c.env.ControlPlane.APIServer.Configure().Set("service-cluster-ip-range", serviceRange)
	for name, value := range flags {
		c.env.ControlPlane.APIServer.Configure().Set(name, value)
	}
	cfg, err := c.env.Start()
	if err != nil {
		c.outside = c.envtestFiles()
		return fmt.Errorf("cannot start etcd and kube-apiserver (or install the CRDs) with envtest: %w; the end of %s:\n%s\nthe end of %s:\n%s", err,
			apiserverLog.Name(), lastLines(apiserverLog.Name(), 15), etcdLog.Name(), lastLines(etcdLog.Name(), 15))
	}
	c.cfg = rest.CopyConfig(cfg)
	c.outside = c.envtestFiles()
	for _, f := range c.outside {
		c.reaper.remove(f)
	}
	ca := filepath.Join(c.dir, "apiserver", "serving-ca.crt")
	return writeFile(ca, c.env.ControlPlane.APIServer.SecureServing.CA)
}

// startComponents starts the controller manager, the scheduler and kwok.
func (c *Cluster) startComponents() error {
	kubeconfigs := map[string]envtest.User{
		controllerBinary: {Name: "system:kube-controller-manager"},
		schedulerBinary:  {Name: "system:kube-scheduler"},
		kwokBinary:       {Name: "kwok", Groups: []string{"system:masters"}},
	}
	paths := map[string]string{}
	for name, user := range kubeconfigs {
		u, err := c.env.ControlPlane.AddUser(user, nil)
		if err != nil {
			return fmt.Errorf("cannot make the credentials of %s: %w", name, err)
		}
		data, err := kubeconfigFor(u.Config())
		if err != nil {
			return err
		}
		paths[name] = filepath.Join(c.dir, "kubeconfigs", name)
		if err := writeFile(paths[name], data); err != nil {
			return err
		}
	}
	certDir := filepath.Join(c.dir, "apiserver")
	args := map[string][]string{
		controllerBinary: {
			"--kubeconfig", paths[controllerBinary],
			"--secure-port", "0",
			"--leader-elect=false",
			"--use-service-account-credentials=true",
			"--service-account-private-key-file", filepath.Join(certDir, "sa-signer.key"),
			"--root-ca-file", filepath.Join(certDir, "serving-ca.crt"),
			"--kube-api-qps", "200", "--kube-api-burst", "400",
			"--pvclaimbinder-sync-period", "1s",
			"--flex-volume-plugin-dir", filepath.Join(c.dir, "flexvolume"),
			"--cert-dir", filepath.Join(c.dir, "kcm-certs"),
		},
		schedulerBinary: {
			"--kubeconfig", paths[schedulerBinary],
			"--secure-port", "0",
			"--leader-elect=false",
			// Its log then says why a Pod waits ("Unable to schedule pod")
			// and when it is bound: one line per Pod, what a test that
			// waited in vain on a workload needs (testenv.DescribeStuck).
			"--v=2",
		},
		kwokBinary: {
			"--kubeconfig", paths[kwokBinary],
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector", nodeAnnotation + "=fake",
			"--node-lease-duration-seconds", "40",
			// Fake Pod IPs, away from the Service range (serviceRange).
			"--cidr", "10.244.0.1/16",
		},
	}
	if stages := filepath.Join(c.binDir, kwokStages); fileExists(stages) {
		args[kwokBinary] = append(args[kwokBinary], "--config", stages)
	}
	// kwok reads ~/.kwok/kwok.yaml first: its HOME is the cluster's, and so
	// is every component's TMPDIR.
	env := append(os.Environ(), "HOME="+filepath.Join(c.dir, "home"), "TMPDIR="+filepath.Join(c.dir, "tmp"))
	for _, name := range []string{controllerBinary, schedulerBinary, kwokBinary} {
		comp, err := startComponent(name, filepath.Join(c.binDir, name), filepath.Join(c.dir, "logs", name+".log"), args[name], env)
		if err != nil {
			return err
		}
		c.components = append(c.components, comp)
		c.reaper.watch(comp.pid())
	}
	return nil
}

// createNodes creates the fake nodes.
func (c *Cluster) createNodes(ctx context.Context, cs kubernetes.Interface, nodes []Node) error {
	for _, n := range nodes {
		labels := map[string]string{
			corev1.LabelOSStable:   "linux",
			corev1.LabelArchStable: runtime.GOARCH,
			corev1.LabelHostname:   n.Name,
			"type":                 "kwok",
		}
		for k, v := range n.Labels {
			labels[k] = v
		}
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        n.Name,
				Labels:      labels,
				Annotations: map[string]string{nodeAnnotation: "fake"},
			},
		}
		if len(n.Capacity) > 0 {
			node.Status.Capacity = n.Capacity.DeepCopy()
			node.Status.Allocatable = n.Capacity.DeepCopy()
		}
		if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("cannot create node %s: %w", n.Name, err)
		}
		c.nodes = append(c.nodes, n.Name)
	}
	return nil
}

// createStorageClass creates the default StorageClass, standard, whose
// claims the provisioner serves (it serves the others too).
func (c *Cluster) createStorageClass(ctx context.Context, cs kubernetes.Interface) error {
	immediate := storagev1.VolumeBindingImmediate
	deletePolicy := corev1.PersistentVolumeReclaimDelete
	sc := &storagev1.StorageClass{
		ObjectMeta: metav1.ObjectMeta{
			Name:        "standard",
			Annotations: map[string]string{"storageclass.kubernetes.io/is-default-class": "true"},
		},
		Provisioner:       provisionerName,
		ReclaimPolicy:     &deletePolicy,
		VolumeBindingMode: &immediate,
	}
	if _, err := cs.StorageV1().StorageClasses().Create(ctx, sc, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("cannot create the default StorageClass: %w", err)
	}
	return nil
}

// waitForNodes waits until every node is Ready and has lost the not-ready
// taint, or a component exits, or ctx ends.
func (c *Cluster) waitForNodes(ctx context.Context, cs kubernetes.Interface) error {
	var pending []string
	for {
		if err := c.Err(); err != nil {
			return err
		}
		pending = pending[:0]
		for _, name := range c.nodes {
			node, err := cs.CoreV1().Nodes().Get(ctx, name, metav1.GetOptions{})
			if err != nil || !nodeReady(node) {
				pending = append(pending, name)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nodes %s not Ready in time (%w); see the logs of kwok and kube-controller-manager in %s",
				strings.Join(pending, ", "), ctx.Err(), filepath.Join(c.dir, "logs"))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// nodeReady tells whether node is Ready and schedulable (no not-ready taint).
func nodeReady(node *corev1.Node) bool {
	ready := false
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
			ready = true
		}
	}
	for _, taint := range node.Spec.Taints {
		if taint.Key == corev1.TaintNodeNotReady || taint.Key == corev1.TaintNodeUnreachable {
			return false
		}
	}
	return ready
}

// Config returns a copy of the configuration of a cluster admin
// (system:masters).
func (c *Cluster) Config() *rest.Config { return rest.CopyConfig(c.cfg) }

// KubeconfigPath returns the path of the cluster admin's kubeconfig:
// Options.Kubeconfig when set, else Dir()/kubeconfig.
func (c *Cluster) KubeconfigPath() string {
	if c.userConfig != "" {
		return c.userConfig
	}
	return c.kubeconfig
}

// AddUser makes credentials for a user of the given name and groups (for
// example "system:masters" for an administrator) and writes its kubeconfig
// into the cluster's folder, removed by Stop. It returns the kubeconfig's
// path. The API server's audit log, if any, names the user.
func (c *Cluster) AddUser(name string, groups ...string) (string, error) {
	if name == "" || strings.ContainsAny(name, "/\\") {
		return "", fmt.Errorf("AddUser: %q is not a user name a file can be named after", name)
	}
	u, err := c.env.ControlPlane.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		return "", fmt.Errorf("cannot make the credentials of %s: %w", name, err)
	}
	data, err := kubeconfigFor(u.Config())
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.dir, "kubeconfigs", "user-"+name)
	if err := writeFile(path, data); err != nil {
		return "", err
	}
	return path, nil
}

// Dir returns the cluster's temporary folder.
func (c *Cluster) Dir() string { return c.dir }

// LogDir returns the folder of the components' logs, one file per component
// (kube-apiserver.log, etcd.log, kube-controller-manager.log,
// kube-scheduler.log, kwok.log).
func (c *Cluster) LogDir() string { return filepath.Join(c.dir, "logs") }

// BinaryDir returns the folder the binaries were run from.
func (c *Cluster) BinaryDir() string { return c.binDir }

// Nodes returns the names of the fake nodes.
func (c *Cluster) Nodes() []string { return append([]string(nil), c.nodes...) }

// Adopt makes the cluster answer for a process group and files of the
// caller's, an operator run as a process by an end-to-end test, say: if the
// test process dies (killed, even with SIGKILL), the cluster's watchdog
// kills the process group and removes the paths, as it does for the
// cluster's own. Start the process in a process group of its own
// (SysProcAttr.Setpgid) and pass its pid. Stop the process before Stop: a
// clean Stop disarms the watchdog, and leaves adopted processes and paths
// to their owner.
func (c *Cluster) Adopt(pgid int, paths ...string) {
	if c.reaper == nil {
		return
	}
	c.reaper.watch(pgid)
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			c.reaper.remove(abs)
		}
	}
}

// PIDs returns the process ids of the components this package started
// (kube-controller-manager, kube-scheduler, kwok) and of the watchdog, by
// name. etcd and kube-apiserver are envtest's: their command lines name Dir.
func (c *Cluster) PIDs() map[string]int {
	pids := map[string]int{}
	for _, comp := range c.components {
		pids[comp.name] = comp.pid()
	}
	if c.reaper != nil {
		pids["watchdog"] = c.reaper.pid()
	}
	return pids
}

// Err returns why a component of the controller manager, the scheduler and
// kwok ended while the cluster runs (with the end of its log), or nil.
func (c *Cluster) Err() error {
	var errs []error
	for _, comp := range c.components {
		errs = append(errs, comp.exitError())
	}
	return errors.Join(errs...)
}

// Stop stops the cluster: the provisioner, kwok, the scheduler and the
// controller manager, then kube-apiserver and etcd; it removes the
// temporary folder and the kubeconfig at Options.Kubeconfig. It is safe to
// call more than once and from several goroutines; later calls return the
// first one's result.
func (c *Cluster) Stop() error {
	return c.stop(false)
}

// stop stops the cluster once; keepLogs keeps the logs folder (a failed
// Start).
func (c *Cluster) stop(keepLogs bool) error {
	c.stopOnce.Do(func() { c.stopErr = c.doStop(keepLogs) })
	return c.stopErr
}

func (c *Cluster) doStop(keepLogs bool) error {
	var errs []error
	if c.provisionerStop != nil {
		c.provisionerStop()
		<-c.provisionerDone
	}
	var wg sync.WaitGroup
	stopErrs := make([]error, len(c.components))
	for i, comp := range c.components {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stopErrs[i] = comp.stop(stopGrace)
		}()
	}
	wg.Wait()
	errs = append(errs, stopErrs...)
	if c.env != nil {
		if err := c.env.Stop(); err != nil {
			errs = append(errs, fmt.Errorf("stopping etcd and kube-apiserver: %w", err))
		}
	}
	for _, f := range c.logFiles {
		_ = f.Close()
	}
	for _, f := range c.outside {
		if err := os.RemoveAll(f); err != nil {
			errs = append(errs, err)
		}
	}
	if c.userConfig != "" && isOurKubeconfig(c.userConfig) {
		if err := os.Remove(c.userConfig); err != nil && !os.IsNotExist(err) {
			errs = append(errs, err)
		}
	}
	// A clean stop disarms the watchdog; else it kills what is left.
	clean := errors.Join(errs...) == nil
	if c.reaper != nil {
		_ = c.reaper.finish(clean)
	}
	if err := removeAll(c.dir, keepLogs); err != nil {
		errs = append(errs, fmt.Errorf("cannot remove the cluster's folder: %w", err))
	}
	return errors.Join(errs...)
}

// removeAll removes dir, or when keepLogs all of it but its logs folder.
func removeAll(dir string, keepLogs bool) error {
	if !keepLogs {
		return os.RemoveAll(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return os.RemoveAll(dir)
	}
	var errs []error
	for _, e := range entries {
		if e.Name() != "logs" {
			errs = append(errs, os.RemoveAll(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}

// logFile creates the log file of a component envtest starts.
func (c *Cluster) logFile(name string) (*os.File, error) {
	f, err := os.Create(filepath.Join(c.dir, "logs", name+".log"))
	if err != nil {
		return nil, fmt.Errorf("cannot create the log file of %s: %w", name, err)
	}
	c.logFiles = append(c.logFiles, f)
	return f, nil
}

// writeFile writes data to path through a temporary file and a rename.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
