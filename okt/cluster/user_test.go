package cluster_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/okt-dev/okt/okt/cluster"
)

// TestUserAndAuditLog: a user made by AddUser writes through its
// kubeconfig, and the API server flags of the options turn on an audit log
// that names it (what hack/benchcompare counts writes with).
func TestUserAndAuditLog(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "policy.yaml")
	if err := os.WriteFile(policy, []byte(`apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: Metadata
  users: ["alice"]
  verbs: ["create"]
- level: None
`), 0o600); err != nil {
		t.Fatal(err)
	}
	auditLog := filepath.Join(dir, "audit.log")
	c := startCluster(t, cluster.Options{APIServerFlags: map[string]string{
		"audit-policy-file": policy, "audit-log-path": auditLog,
	}})
	kubeconfig, err := c.AddUser("alice", "system:masters")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(kubeconfig, c.Dir()) {
		t.Errorf("the kubeconfig %s is not in the cluster's folder %s (Stop would leave it)", kubeconfig, c.Dir())
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs := kubernetes.NewForConfigOrDie(cfg)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "by-alice", Namespace: "default"}}
	if _, err := cs.CoreV1().ConfigMaps("default").Create(context.Background(), cm, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(auditLog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"username":"alice"`) || !strings.Contains(string(data), `"name":"by-alice"`) {
		t.Errorf("the audit log does not record alice's create:\n%s", data)
	}
	if _, err := c.AddUser("../escape"); err == nil {
		t.Error("AddUser took a name with a slash")
	}
}
