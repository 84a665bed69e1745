//go:build unix

package cluster

import (
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
)

// newProcessGroup puts a child in a process group of its own: Stop ends it
// and whatever it started, and a Ctrl-C meant for the parent's terminal does
// not reach it before Stop does.
func newProcessGroup() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// signalGroup sends SIGTERM, or SIGKILL when kill, to the process group pgid.
func signalGroup(pgid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pgid, sig)
}

// reaperScript is the watchdog: it reads lines from its stdin, a pipe from
// this process: "g <pgid>" (a process group to kill), "f <path>" (a file to
// remove), until "disarm" (Stop cleaned up) or the end of its input (this
// process died: the kernel closed the pipe). On the latter it kills the
// groups and any process whose command line names the cluster's folder (etcd
// and kube-apiserver, which envtest starts), then removes the files and the
// folder. It ignores the signals that end the process it watches.
const reaperScript = `trap '' INT TERM HUP QUIT
dir=$1 # with a trailing slash
groups=
files=
while read -r kind value; do
  case $kind in
    disarm) exit 0 ;;
    g) groups="$groups $value" ;;
    f) files="$files
$value" ;;
  esac
done
for g in $groups; do kill -KILL -"$g" 2>/dev/null; done
if [ -d /proc ]; then
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    if [ "$pid" != "$$" ] && grep -qsF -- "$dir" "$p/cmdline"; then kill -KILL "$pid" 2>/dev/null; fi
  done
fi
printf '%s\n' "$files" | while IFS= read -r f; do if [ -n "$f" ]; then rm -rf -- "$f"; fi; done
rm -rf -- "$dir"
`

// reaper is the running watchdog of one cluster.
type reaper struct {
	mu    sync.Mutex
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startReaper starts the watchdog of the cluster whose folder is dir.
func startReaper(dir string) (*reaper, error) {
	cmd := exec.Command("/bin/sh", "-c", reaperScript, "okt-cluster-reaper", dir+"/")
	cmd.SysProcAttr = newProcessGroup()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start the cluster's watchdog (/bin/sh): %w", err)
	}
	return &reaper{cmd: cmd, stdin: stdin}, nil
}

// watch tells the watchdog about the process group pgid.
func (r *reaper) watch(pgid int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = io.WriteString(r.stdin, "g "+strconv.Itoa(pgid)+"\n")
}

// remove tells the watchdog about a file outside the cluster's folder, to
// remove.
func (r *reaper) remove(path string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = io.WriteString(r.stdin, "f "+path+"\n")
}

// finish ends the watchdog. When disarm, it ends at once; else it kills what
// it watches and removes the folder first, as if this process had died.
func (r *reaper) finish(disarm bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if disarm {
		_, _ = io.WriteString(r.stdin, "disarm\n")
	}
	_ = r.stdin.Close()
	return r.cmd.Wait()
}

// pid is the watchdog's process id.
func (r *reaper) pid() int { return r.cmd.Process.Pid }
