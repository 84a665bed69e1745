package testenv

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/go-logr/logr/funcr"
	"k8s.io/klog/v2"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// keptLogLines is how many of the last log lines Logs keeps.
const keptLogLines = 400

// Logs keeps the last lines that controller-runtime's and client-go's
// loggers write during a package's tests, instead of controller-runtime's
// "log.SetLogger(...) was never called" stack trace or klog's lines on
// stderr, and prints them when the tests failed.
type Logs struct {
	mu    sync.Mutex
	lines []string
	next  int
	full  bool
}

// CaptureLogs sets controller-runtime's and klog's loggers to one that
// keeps the last lines in memory. A TestMain calls it before m.Run, and
// Print after, with whether the tests failed:
//
//	logs := testenv.CaptureLogs()
//	code := m.Run()
//	logs.Print(code != 0)
func CaptureLogs() *Logs {
	l := &Logs{lines: make([]string, keptLogLines)}
	logger := funcr.New(l.add, funcr.Options{Verbosity: 1})
	ctrllog.SetLogger(logger)
	klog.SetLogger(logger)
	return l
}

func (l *Logs) add(prefix, args string) {
	line := args
	if prefix != "" {
		line = prefix + " " + args
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines[l.next] = line
	l.next = (l.next + 1) % len(l.lines)
	if l.next == 0 {
		l.full = true
	}
}

// Print writes the kept lines to stderr when failed is true.
func (l *Logs) Print(failed bool) {
	if !failed {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var kept []string
	if l.full {
		kept = append(kept, l.lines[l.next:]...)
	}
	kept = append(kept, l.lines[:l.next]...)
	if len(kept) == 0 {
		return
	}
	fmt.Fprintf(os.Stderr, "the last %d lines of controller-runtime's and client-go's logs:\n%s\n", len(kept), strings.Join(kept, "\n"))
}

// Main is a TestMain's body: it runs the package's tests (run, m.Run or a
// function that starts what they share and calls it) with the logs kept by
// CaptureLogs, prints them if the tests failed, and exits with their code.
func Main(m *testing.M, run func(*testing.M) int) {
	logs := CaptureLogs() // controller-runtime's and client-go's: printed only on a failure
	code := run(m)
	logs.Print(code != 0)
	os.Exit(code)
}
