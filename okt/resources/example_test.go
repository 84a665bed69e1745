package resources_test

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/okt-dev/okt/okt/resources"
)

// A mutable ConfigMap kept up to date: created once, then updated only when
// its live copy drifts from the desired state.
func ExampleNewMutable() {
	ctx := context.Background()
	c := exampleClient() // a client of a real API server: envtest, a cluster
	cr := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-app", Namespace: "demo", UID: "1234"}}
	env := resources.Env{Client: c, Scheme: scheme.Scheme, Owner: cr}

	greeting := "hello"
	cfg := resources.NewMutable(
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-app-config", Namespace: "demo"}},
		func(cm *corev1.ConfigMap) error {
			cm.Data = map[string]string{"greeting": greeting}
			return nil
		})

	// First reconcile: the object does not exist yet.
	_ = cfg.Prepare(ctx, env)
	_ = cfg.Fetch(ctx, env)
	fmt.Println("exists:", cfg.Exists())
	_ = cfg.Create(ctx, env)

	// Next reconcile: nothing to do.
	_ = cfg.Fetch(ctx, env)
	need, _ := cfg.NeedsUpdate()
	fmt.Println("needs update:", need)

	// Someone edits the ConfigMap by hand and adds a key of their own.
	live := &corev1.ConfigMap{}
	_ = c.Get(ctx, client.ObjectKey{Namespace: "demo", Name: "my-app-config"}, live)
	live.Data = map[string]string{"greeting": "bonjour", "theirs": "kept"}
	_ = c.Update(ctx, live, client.FieldOwner("kubectl-edit"))

	_ = cfg.Fetch(ctx, env)
	fmt.Println(cfg.NeedsUpdate())
	_ = cfg.Update(ctx, env)

	// The custom resource changes.
	greeting = "hi"
	_ = cfg.Prepare(ctx, env)
	need, _ = cfg.NeedsUpdate()
	fmt.Println("after a desired change:", need)
	_ = cfg.Update(ctx, env)

	_ = c.Get(ctx, client.ObjectKey{Namespace: "demo", Name: "my-app-config"}, live)
	fmt.Println(live.Data, live.OwnerReferences[0].Name)
	// Output:
	// exists: false
	// needs update: false
	// true live object drifted: .data.greeting: want "hello", live has "bonjour"
	// after a desired change: true
	// map[greeting:hi theirs:kept] my-app
}

func ExampleRender() {
	const tpl = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Name }}-config
  namespace: {{ .Namespace }}
data:
  replicas: "{{ .Replicas }}"
`
	data := map[string]any{"Name": "my-app", "Namespace": "demo", "Replicas": 3}
	cm, err := resources.Render[*corev1.ConfigMap](tpl, data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resources.New(cm).Key(), cm.Data["replicas"])

	_, err = resources.Render[*corev1.ConfigMap](tpl, map[string]any{"Name": "my-app"})
	fmt.Println(err)

	_, err = resources.Render[*corev1.Secret]("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", nil)
	fmt.Println(err)
	// Output:
	// ConfigMap demo/my-app-config 3
	// cannot render the template: template: resource:5:16: executing "resource" at <.Namespace>: map has no entry for key "Namespace"
	// the template renders a ConfigMap, not a Secret
}
