package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The binaries a cluster runs, all from one folder.
const (
	apiserverBinary  = "kube-apiserver"
	etcdBinary       = "etcd"
	controllerBinary = "kube-controller-manager"
	schedulerBinary  = "kube-scheduler"
	kwokBinary       = "kwok"
)

var binaries = []string{apiserverBinary, etcdBinary, controllerBinary, schedulerBinary, kwokBinary}

// kwokStages is the file, next to the binaries, of the stages kwok plays on
// nodes and pods (node initialize and heartbeat with a lease; pod ready,
// complete for a Job's pods, delete): since v0.8 kwok has no default stages
// of its own. hack/cluster.sh writes it from kwok's release (the stages
// kwokctl uses by default).
const kwokStages = "kwok-stages.yaml"

// buildHint tells how to get the binaries.
const buildHint = "build them with `make cluster-assets` in the okt repository (hack/cluster.sh prints their folder), " +
	"then set Options.BinaryDir or KUBEBUILDER_ASSETS to that folder"

// CacheDir is the folder the okt repository's hack scripts build the binaries
// into: $OKT_CACHE, else $XDG_CACHE_HOME/okt, else ~/.cache/okt.
func CacheDir() string {
	if dir := os.Getenv("OKT_CACHE"); dir != "" {
		return dir
	}
	if dir := os.Getenv("XDG_CACHE_HOME"); dir != "" {
		return filepath.Join(dir, "okt")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "okt-cache")
	}
	return filepath.Join(home, ".cache", "okt")
}

// binaryDir returns the folder of the five binaries: dir when it is set (and
// then only it), else the first of $KUBEBUILDER_ASSETS and the cache's
// cluster folders (newest first) that holds all of them.
func binaryDir(dir string) (string, error) {
	var candidates []string
	var origin string
	if dir != "" {
		candidates, origin = []string{dir}, "Options.BinaryDir"
	} else {
		if env := os.Getenv("KUBEBUILDER_ASSETS"); env != "" {
			candidates = append(candidates, env)
		}
		found, _ := filepath.Glob(filepath.Join(CacheDir(), "controlplane", "*-kwok*"))
		sort.Sort(sort.Reverse(sort.StringSlice(found)))
		candidates = append(candidates, found...)
		origin = "KUBEBUILDER_ASSETS and " + filepath.Join(CacheDir(), "controlplane", "*-kwok*")
	}
	if len(candidates) == 0 {
		return "", fmt.Errorf("no folder holds the local cluster's binaries (%s): looked in %s; %s",
			strings.Join(binaries, ", "), origin, buildHint)
	}
	var problems []string
	for _, candidate := range candidates {
		missing := missingBinaries(candidate)
		if len(missing) == 0 {
			return candidate, nil
		}
		problems = append(problems, fmt.Sprintf("%s lacks %s", candidate, strings.Join(missing, ", ")))
	}
	return "", fmt.Errorf("the local cluster's binaries are missing (%s): %s", strings.Join(problems, "; "), buildHint)
}

// missingBinaries lists the binaries that are not executable files in dir.
func missingBinaries(dir string) []string {
	var missing []string
	for _, name := range binaries {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode().Perm()&0o111 == 0 {
			missing = append(missing, name)
		}
	}
	return missing
}

// fileExists reports whether path is a regular file.
func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
