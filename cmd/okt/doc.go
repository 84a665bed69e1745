// Command okt scaffolds Kubernetes operators whose controllers are built on
// the okt library: kubebuilder's CLI with the okt plugin in its go/v4
// bundle, plus `okt create resource`, `okt install-plugin` and `okt cluster`
// (a local cluster that runs workloads, package okt/cluster). Installed as
// an external kubebuilder plugin (okt install-plugin), it answers
// kubebuilder's external-plugin protocol instead.
package main
