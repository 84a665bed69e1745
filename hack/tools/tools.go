//go:build tools

// Package tools pins the modules that hack/controlplane.sh builds the test
// control plane from: kube-apiserver (k8s.io/kubernetes) and etcd.
package tools

import (
	_ "go.etcd.io/etcd/server/v3/etcdmain"
	_ "k8s.io/kubernetes/cmd/kube-apiserver/app"
)
