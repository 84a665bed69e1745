// Package testenv starts a real control plane (kube-apiserver and etcd, built
// by hack/controlplane.sh) for okt's tests, and counts the requests a client
// sends, so that tests can assert that a reconcile writes nothing.
package testenv
