// Command etcd starts the etcd server from go.etcd.io/etcd/server/v3, the
// version that kube-apiserver of this control plane is tested with.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
