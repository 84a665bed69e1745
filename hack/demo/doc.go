// Command demo is OKT's main job (make demo): it scaffolds a Memcached
// operator with the okt CLI in a temporary folder, starts a local control
// plane (kube-apiserver and etcd from KUBEBUILDER_ASSETS), installs the CRDs,
// runs the operator, applies the sample Memcached, waits until it is Ready,
// prints the Stepper path and the objects the operator created, and cleans
// up. It needs no cluster and no internet beyond the Go module proxy.
package main
