package cluster_test

import (
	"context"
	"fmt"
	"log"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/cluster"
)

// A cluster with two fake nodes, one of them labelled and with a small
// capacity; its kubeconfig is also written to ./kubeconfig while it runs.
func Example() {
	ctx := context.Background()
	c, err := cluster.Start(ctx, cluster.Options{
		Nodes: []cluster.Node{
			{},
			{Name: "small", Labels: map[string]string{"disk": "ssd"}, Capacity: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("2"),
				corev1.ResourceMemory: resource.MustParse("4Gi"),
				corev1.ResourcePods:   resource.MustParse("10"),
			}},
		},
		Kubeconfig: "kubeconfig",
	})
	if err != nil {
		log.Fatal(err) // names what is missing, e.g. `make cluster-assets`
	}
	defer func() {
		if err := c.Stop(); err != nil {
			log.Print(err)
		}
	}()
	fmt.Println("KUBECONFIG=" + c.KubeconfigPath())

	cl, err := client.New(c.Config(), client.Options{})
	if err != nil {
		log.Fatal(err)
	}
	nodes := &corev1.NodeList{}
	if err := cl.List(ctx, nodes); err != nil {
		log.Fatal(err)
	}
	for _, n := range nodes.Items {
		fmt.Println(n.Name)
	}
}
