//go:build !unix

package cluster

import (
	"errors"
	"syscall"
)

// The local cluster needs process groups: Start fails on other systems.

func newProcessGroup() *syscall.SysProcAttr { return nil }

func signalGroup(int, bool) {}

type reaper struct{}

func startReaper(string) (*reaper, error) {
	return nil, errors.New("the local cluster runs on Linux and macOS only (it needs process groups)")
}

func (*reaper) watch(int) {}

func (*reaper) remove(string) {}

func (*reaper) finish(bool) error { return nil }

func (*reaper) pid() int { return 0 }
