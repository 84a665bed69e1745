//go:build tools

// Package tools pins kwok (sigs.k8s.io/kwok), which hack/cluster.sh builds for
// the local cluster's fake nodes. It is a module of its own so that kwok's
// requirements do not move the versions kube-apiserver is built with
// (hack/tools).
package tools

import (
	_ "sigs.k8s.io/kwok/pkg/kwok/cmd"
)
