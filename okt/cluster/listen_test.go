package cluster_test

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// listeningPorts returns the TCP ports pid listens on, read from /proc: the
// socket inodes of its file descriptors, looked up in /proc/net/tcp{,6}.
func listeningPorts(t *testing.T, pid int) []string {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("cannot read the descriptors of process %d: %v", pid, err)
	}
	inodes := map[string]bool{}
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(fmt.Sprintf("/proc/%d/fd", pid), fd.Name()))
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var ports []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			// local_address rem_address st ... inode (the 10th field)
			if len(f) < 10 || f[3] != "0A" || !inodes[f[9]] { // 0A: LISTEN
				continue
			}
			ports = append(ports, f[1])
		}
	}
	return ports
}

// checkPorts fails t when the controller manager, the scheduler or kwok
// listens on a TCP port (only etcd and kube-apiserver may), and checks that
// the lookup sees kube-apiserver's port (a positive control).
func checkPorts(t *testing.T, dir string, pids map[string]int) {
	t.Helper()
	seen := false
	for _, pid := range clusterProcesses(dir) {
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && filepath.Base(exe) == "kube-apiserver" {
			seen = len(listeningPorts(t, pid)) > 0
		}
	}
	if !seen {
		t.Errorf("no listening port found for kube-apiserver: the lookup in /proc does not work")
	}
	for name, pid := range pids {
		if name == "watchdog" {
			continue
		}
		if ports := listeningPorts(t, pid); len(ports) > 0 {
			t.Errorf("%s (process %d) listens on %v; only etcd and kube-apiserver should", name, pid, ports)
		}
	}
}

// checkClosed fails t when something still accepts connections at the
// address of host (a URL).
func checkClosed(t *testing.T, host string) {
	t.Helper()
	u, err := url.Parse(host)
	if err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		_ = conn.Close()
		t.Errorf("%s still accepts connections after Stop", u.Host)
	}
}
