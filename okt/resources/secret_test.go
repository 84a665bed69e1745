package resources_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/okt-dev/okt/okt/resources"
)

func TestRedacter(t *testing.T) {
	typed := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "s"},
		Data:       map[string][]byte{"password": []byte("hunter22"), "pin": []byte("42")},
		StringData: map[string]string{"token": "s3cr3t-t0ken"},
	}
	live := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"data": map[string]any{"password": "b2xkLXBhc3N3b3Jk"}, // old-password
	}}
	var r resources.Redacter
	r.Add(typed, live, &corev1.ConfigMap{Data: map[string]string{"k": "not-secret"}}, nil)
	text := `want "aHVudGVyMjI=", live has "b2xkLXBhc3N3b3Jk"; hunter22 old-password s3cr3t-t0ken not-secret NDI=`
	got := r.Redact(text)
	for _, leak := range []string{"hunter22", "aHVudGVyMjI=", "old-password", "b2xkLXBhc3N3b3Jk", "s3cr3t-t0ken", "NDI="} {
		if strings.Contains(got, leak) {
			t.Errorf("Redact() left %q in %q", leak, got)
		}
	}
	if !strings.Contains(got, "not-secret") {
		t.Errorf("Redact() masked a ConfigMap value: %q", got)
	}
	var zero resources.Redacter
	if zero.Redact(text) != text {
		t.Error("the zero Redacter changed the text")
	}
}

func TestIsSecret(t *testing.T) {
	if !resources.IsSecret(resources.Key{Kind: "Secret"}) || resources.IsSecret(resources.Key{Group: "example.com", Kind: "Secret"}) {
		t.Error("IsSecret: only the core Secret is a Secret")
	}
}
