package cluster

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"
)

// component is a process of the cluster started by this package (the
// controller manager, the scheduler, kwok), in a process group of its own,
// its output in a log file.
type component struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	err     error         // its exit status, once done is closed
	stopped atomic.Bool   // Stop asked it to end
}

// startComponent starts path with args and env, its output appended to
// logPath.
func startComponent(name, path, logPath string, args, env []string) (*component, error) {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("cannot create the log file of %s: %w", name, err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = env
	cmd.SysProcAttr = newProcessGroup()
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("cannot start %s (%s): %w", name, path, err)
	}
	c := &component{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		c.err = cmd.Wait()
		_ = log.Close()
		close(c.done)
	}()
	return c, nil
}

// pid is the process's id, which is also its process group's.
func (c *component) pid() int { return c.cmd.Process.Pid }

// exitError is non-nil when the process has ended without being asked to.
func (c *component) exitError() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	if c.stopped.Load() {
		return nil
	}
	status := "exit status 0"
	if c.err != nil {
		status = c.err.Error()
	}
	return fmt.Errorf("%s exited (%s); the end of its log %s:\n%s", c.name, status, c.logPath, lastLines(c.logPath, 15))
}

// stop ends the process group: SIGTERM, then SIGKILL after grace.
func (c *component) stop(grace time.Duration) error {
	c.stopped.Store(true)
	signalGroup(c.pid(), false)
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-c.done:
		signalGroup(c.pid(), true) // whatever it started and left behind
		return nil
	case <-timer.C:
	}
	signalGroup(c.pid(), true)
	<-c.done
	return fmt.Errorf("%s did not stop within %s of SIGTERM and was killed (log %s)", c.name, grace, c.logPath)
}

// lastLines returns the last n lines of the file at path, indented, or why
// it cannot.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	defer f.Close()
	const window = 64 << 10
	if info, err := f.Stat(); err == nil && info.Size() > window {
		_, _ = f.Seek(info.Size()-window, io.SeekStart)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return "    (" + err.Error() + ")"
	}
	lines := strings.Split(string(bytes.TrimRight(data, "\n")), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	if len(lines) == 1 && lines[0] == "" {
		return "    (empty)"
	}
	return "    " + strings.Join(lines, "\n    ")
}
