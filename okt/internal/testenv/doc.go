// Package testenv starts okt's local cluster (package cluster: a real
// kube-apiserver and etcd, controllers, a scheduler and fake nodes, built by
// hack/cluster.sh) with the Widget CRD for okt's tests, and counts the
// requests a client sends, so that tests can assert that a reconcile writes
// nothing.
package testenv
