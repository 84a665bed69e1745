package cluster

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// envtestFiles returns what envtest wrote for this cluster outside the
// cluster's folder, which Stop (or the watchdog) removes: the folder of its
// webhook serving certificates (in the system's temporary folder; env.Stop
// removes it too) and the files that reserved its ports for two minutes
// (in envtest's cache folder): kube-apiserver's, etcd's client and peer
// ports, the webhook's.
func (c *Cluster) envtestFiles() []string {
	var files []string
	if dir := c.env.WebhookInstallOptions.LocalServingCertDir; dir != "" {
		files = append(files, dir)
	}
	ports := []string{c.env.ControlPlane.APIServer.SecureServing.Port}
	if u := c.env.ControlPlane.Etcd.URL; u != nil {
		ports = append(ports, u.Port())
	}
	if p := c.env.WebhookInstallOptions.LocalServingPort; p != 0 {
		ports = append(ports, strconv.Itoa(p))
	}
	if p := etcdPeerPort(filepath.Join(c.dir, "etcd")); p != "" {
		ports = append(ports, p)
	}
	for _, dir := range envtestPortDirs() {
		for _, port := range ports {
			file := filepath.Join(dir, "port-"+port)
			if _, err := os.Stat(file); err == nil {
				files = append(files, file)
			}
		}
	}
	return files
}

// envtestPortDirs are the folders where envtest may reserve ports: its
// cache folder in the user's cache, else in the temporary folder.
func envtestPortDirs() []string {
	var dirs []string
	if cache, err := os.UserCacheDir(); err == nil {
		dirs = append(dirs, filepath.Join(cache, "kubebuilder-envtest"))
	}
	return append(dirs, filepath.Join(os.TempDir(), "kubebuilder-envtest"))
}

// etcdPeerPort returns the peer port of the etcd whose data folder is
// dataDir, read from its command line in /proc (envtest keeps it to itself),
// or "" when it cannot be read.
func etcdPeerPort(dataDir string) string {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte("--data-dir="+dataDir+"\x00")) {
			continue
		}
		for _, arg := range strings.Split(string(cmdline), "\x00") {
			if v, ok := strings.CutPrefix(arg, "--listen-peer-urls="); ok {
				if u, err := url.Parse(v); err == nil {
					return u.Port()
				}
			}
		}
	}
	return ""
}
