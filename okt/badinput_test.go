package okt_test

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/okt-dev/okt/okt"
	"github.com/okt-dev/okt/okt/internal/testapi"
	"github.com/okt-dev/okt/okt/resources"
)

const configMapTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Name }}-templated
  namespace: {{ .Namespace }}
data:
  owner: {{ .Owner }}
`

// TestBadInputIsReportedWithoutWrites: acceptance 8. Each mistake of the
// operator's author ends in Ready=False naming it, with the status as the
// only write and no panic.
func TestBadInputIsReportedWithoutWrites(t *testing.T) {
	needCluster(t)
	cm := func(w *testapi.Widget) *corev1.ConfigMap {
		return &corev1.ConfigMap{ObjectMeta: objMeta(w, "cm")}
	}
	cases := []struct {
		name string
		run  func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error
		want string
	}{
		{"template with a missing key", func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
			return s.RegisterBuilders(ctx, func(w *testapi.Widget) (resources.Resource, error) {
				obj, err := resources.Render[*corev1.ConfigMap](configMapTemplate, map[string]string{"Name": w.Name, "Namespace": w.Namespace})
				if err != nil {
					return nil, err
				}
				return resources.NewMutable(obj, nil), nil
			})
		}, `map has no entry for key "Owner"`},
		{"mutation that renames its object", func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
			w := s.CR()
			if err := s.Register(ctx, resources.NewMutable(cm(w), func(c *corev1.ConfigMap) error {
				c.Name = "renamed"
				return nil
			})); err != nil {
				return err
			}
			return s.MutateAllResources(ctx)
		}, "must not change the name"},
		{"duplicate registration", func(ctx context.Context, s *okt.Scope[*testapi.Widget]) error {
			w := s.CR()
			return s.Register(ctx, resources.NewMutable(cm(w), nil), resources.NewMutable(cm(w), nil))
		}, "is already registered"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			counted, counter, plain := newClients(t)
			ns := newNamespace(t, plain)
			w := newWidget(t, plain, ns, "bad")
			r := okt.New[*testapi.Widget](counted, okt.EngineFunc[*testapi.Widget](func(ctx context.Context, s *okt.Scope[*testapi.Widget]) {
				if err := tc.run(ctx, s); err != nil {
					s.ManageError()
					return
				}
				if err := s.CreateOrUpdateAllResources(ctx); err != nil {
					s.ManageError()
					return
				}
				s.ManageSuccess()
			}))
			counter.Reset()
			_, err := r.Reconcile(ctx, request(w))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("reconcile error %v, want one containing %q", err, tc.want)
			}
			writes := counter.Writes()
			if len(writes) != 1 || !strings.HasSuffix(writes[0], "/status") {
				t.Errorf("writes %v, want the status write only", writes)
			}
			cur := getWidget(t, plain, w)
			ready := meta.FindStatusCondition(cur.Status.Conditions, okt.ConditionReady)
			if ready == nil || ready.Status != metav1.ConditionFalse || !strings.Contains(ready.Message, tc.want) {
				t.Errorf("Ready %+v, want False with a message containing %q", ready, tc.want)
			}
		})
	}
}
