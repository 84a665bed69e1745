package resources

// White-box tests of change detection: NeedsUpdate on hand-built live objects
// that carry what a real API server adds (defaults, foreign metadata, status),
// which the fake client would not add.

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

const ownerUID = types.UID("owner-uid")

func internalEnv() Env {
	return Env{
		Scheme: clientgoscheme.Scheme,
		Owner: &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{
			Name: "owner", Namespace: "ns", UID: ownerUID,
		}},
	}
}

func webDeployment() *appsv1.Deployment {
	labels := map[string]string{"app": "web"}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "web",
					Image: "nginx:1.27",
					Args:  []string{"--a"},
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}},
					Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("500m"),
					}},
				}}},
			},
		},
	}
}

var liveVersion = 41

// withServerState returns a copy of desired as the API server would return it
// after a write by okt: defaults, server metadata, foreign labels and
// annotations, status.
func withServerState(desired *appsv1.Deployment) *appsv1.Deployment {
	live := desired.DeepCopy()
	live.TypeMeta = metav1.TypeMeta{}
	// Every state of an object has its own resourceVersion, as on a real API
	// server (change detection remembers what it checked by it).
	liveVersion++
	live.ResourceVersion = strconv.Itoa(liveVersion)
	live.UID = "dep-uid"
	// And its own generation: the tests edit the spec of these states, which
	// an API server counts (change detection trusts a workload's
	// generation to say whether anything but its status changed).
	live.Generation = int64(liveVersion)
	live.CreationTimestamp = metav1.Now()
	live.ManagedFields = []metav1.ManagedFieldsEntry{{Manager: "okt", Operation: metav1.ManagedFieldsOperationApply}}
	live.Annotations["deployment.kubernetes.io/revision"] = "3"
	live.Labels["team"] = "other"
	s := &live.Spec
	s.RevisionHistoryLimit = ptr.To[int32](10)
	s.ProgressDeadlineSeconds = ptr.To[int32](600)
	s.Strategy = appsv1.DeploymentStrategy{
		Type: appsv1.RollingUpdateDeploymentStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDeployment{
			MaxSurge:       ptr.To(intstr.FromString("25%")),
			MaxUnavailable: ptr.To(intstr.FromString("25%")),
		},
	}
	p := &s.Template.Spec
	p.RestartPolicy = corev1.RestartPolicyAlways
	p.DNSPolicy = corev1.DNSClusterFirst
	p.SchedulerName = "default-scheduler"
	p.TerminationGracePeriodSeconds = ptr.To[int64](30)
	p.SecurityContext = &corev1.PodSecurityContext{}
	c := &p.Containers[0]
	c.TerminationMessagePath = corev1.TerminationMessagePathDefault
	c.TerminationMessagePolicy = corev1.TerminationMessageReadFile
	c.ImagePullPolicy = corev1.PullIfNotPresent
	c.Ports[0].Protocol = corev1.ProtocolTCP
	live.Status = appsv1.DeploymentStatus{ObservedGeneration: live.Generation, Replicas: 2, ReadyReplicas: 2}
	return live
}

func prepared[O client.Object](t *testing.T, obj O, mutate func(O) error, opts ...Option) *Mutable[O] {
	t.Helper()
	// The fixtures reuse UIDs and resourceVersions for different contents,
	// which a real API server never does: start with an empty memory.
	*memo = memory{}
	m := NewMutable(obj, mutate, opts...)
	if err := m.Prepare(t.Context(), internalEnv()); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	return m
}

// setLive stands for a Fetch that found live.
func (m *Mutable[O]) setLive(live O) {
	m.live, m.exists = live, true
}

type verdict struct {
	Need   bool
	Reason string
}

func TestNeedsUpdateDeployment(t *testing.T) {
	m := prepared(t, webDeployment(), nil)
	desired := m.Desired().(*appsv1.Deployment)
	hash := m.Hash()

	tests := []struct {
		name   string
		edit   func(*appsv1.Deployment)
		want   verdict
		prefix bool // want.Reason is a prefix of the reason
	}{
		{
			name: "live = desired + server defaults + foreign metadata + status",
			edit: func(*appsv1.Deployment) {},
			want: verdict{},
		},
		{
			name: "foreign owner reference next to ours",
			edit: func(d *appsv1.Deployment) {
				d.OwnerReferences = append(d.OwnerReferences, metav1.OwnerReference{
					APIVersion: "v1", Kind: "Pod", Name: "other", UID: "other-uid",
				})
			},
			want: verdict{},
		},
		{
			name: "replicas edited live",
			edit: func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To[int32](5) },
			want: verdict{true, "live object drifted: .spec.replicas: want 2, live has 5"},
		},
		{
			name: "image edited live",
			edit: func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "nginx:latest" },
			want: verdict{true, `live object drifted: .spec.template.spec.containers[name=web].image: want "nginx:1.27", live has "nginx:latest"`},
		},
		{
			name: "cpu limit edited live",
			edit: func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Resources.Limits[corev1.ResourceCPU] = resource.MustParse("1")
			},
			want: verdict{true, `live object drifted: .spec.template.spec.containers[name=web].resources.limits.cpu: want "500m", live has "1"`},
		},
		{
			name: "managed label removed live",
			edit: func(d *appsv1.Deployment) { delete(d.Labels, "app") },
			want: verdict{true, "live object drifted: .metadata.labels.app: missing on the live object"},
		},
		{
			name: "managed label value edited live",
			edit: func(d *appsv1.Deployment) { d.Labels["app"] = "other" },
			want: verdict{true, `live object drifted: .metadata.labels.app: want "web", live has "other"`},
		},
		{
			// A container another writer adds (a sidecar) is theirs: containers
			// are keyed by name.
			name: "container added live",
			edit: func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{Name: "sidecar", Image: "envoy"})
			},
			want: verdict{},
		},
		{
			name: "args list longer live",
			edit: func(d *appsv1.Deployment) {
				d.Spec.Template.Spec.Containers[0].Args = []string{"--a", "--b"}
			},
			want: verdict{true, `live object drifted: .spec.template.spec.containers[name=web].args: want 1 item(s), live has ["--a","--b"]`},
		},
		{
			name: "args list emptied live",
			edit: func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Args = nil },
			want: verdict{true, "live object drifted: .spec.template.spec.containers[name=web].args: missing on the live object"},
		},
		{
			name: "hash annotation differs",
			edit: func(d *appsv1.Deployment) { d.Annotations[HashAnnotation] = "stale" },
			want: verdict{true, fmt.Sprintf("desired state changed (hash stale -> %s)", hash)},
		},
		{
			name: "hash annotation missing",
			edit: func(d *appsv1.Deployment) { delete(d.Annotations, HashAnnotation) },
			want: verdict{true, "the live object has no okt.orange.com/hash annotation"},
		},
		{
			name: "owner reference missing",
			edit: func(d *appsv1.Deployment) { d.OwnerReferences = nil },
			want: verdict{true, "owner reference to owner missing"},
		},
		{
			name: "owner reference to another uid",
			edit: func(d *appsv1.Deployment) { d.OwnerReferences[0].UID = "someone-else" },
			want: verdict{true, "owner reference to owner missing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			live := withServerState(desired)
			tc.edit(live)
			m.setLive(live)
			need, reason := m.NeedsUpdate()
			got := verdict{need, reason}
			if tc.prefix && strings.HasPrefix(got.Reason, tc.want.Reason) {
				got.Reason = tc.want.Reason
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("NeedsUpdate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNeedsUpdateOtherKinds(t *testing.T) {
	tests := []struct {
		name string
		// build prepares a resource and returns it with a live object built
		// from its desired one.
		build func(t *testing.T) (MutableResource, client.Object)
		want  verdict
	}{
		{
			name: "Service with server-allocated clusterIP and defaults",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"},
					Spec: corev1.ServiceSpec{
						Selector: map[string]string{"app": "web"},
						Ports:    []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080)}},
					},
				}, nil)
				live := m.Desired().(*corev1.Service).DeepCopy()
				live.Spec.ClusterIP = "10.0.0.10"
				live.Spec.ClusterIPs = []string{"10.0.0.10"}
				live.Spec.Type = corev1.ServiceTypeClusterIP
				live.Spec.SessionAffinity = corev1.ServiceAffinityNone
				live.Spec.IPFamilies = []corev1.IPFamily{corev1.IPv4Protocol}
				live.Spec.IPFamilyPolicy = ptr.To(corev1.IPFamilyPolicySingleStack)
				live.Spec.InternalTrafficPolicy = ptr.To(corev1.ServiceInternalTrafficPolicyCluster)
				live.Spec.Ports[0].Protocol = corev1.ProtocolTCP
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "Service port without targetPort, defaulted by the server",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"},
					Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}},
				}, nil)
				live := m.Desired().(*corev1.Service).DeepCopy()
				live.Spec.Ports[0].TargetPort = intstr.FromInt32(80)
				live.Spec.Ports[0].Protocol = corev1.ProtocolTCP
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "Service port edited live",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "ns"},
					Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Port: 80}}},
				}, nil)
				live := m.Desired().(*corev1.Service).DeepCopy()
				live.Spec.Ports[0].Port = 81
				m.setLive(live)
				return m, live
			},
			// The port is the item's key: port 80 is gone (port 81 is someone
			// else's item).
			want: verdict{true, "live object drifted: .spec.ports[port=80]: missing on the live object"},
		},
		{
			name: "ConfigMap with extra keys and foreign annotations",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "ns"},
					Data:       map[string]string{"a": "1"},
				}, nil)
				live := m.Desired().(*corev1.ConfigMap).DeepCopy()
				live.Data["extra"] = "added by someone"
				live.Annotations["kubectl.kubernetes.io/last-applied-configuration"] = "{}"
				live.Labels = map[string]string{"foreign": "yes"}
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "ConfigMap managed key removed live",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "ns"},
					Data:       map[string]string{"a": "1", "b": "2"},
				}, nil)
				live := m.Desired().(*corev1.ConfigMap).DeepCopy()
				delete(live.Data, "b")
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .data.b: missing on the live object"},
		},
		{
			name: "Secret written with stringData, read back as data",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.Secret{
					ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns"},
					StringData: map[string]string{"password": "hunter2"},
				}, nil)
				live := &corev1.Secret{
					ObjectMeta: *m.Desired().(*corev1.Secret).ObjectMeta.DeepCopy(),
					Type:       corev1.SecretTypeOpaque,
					Data:       map[string][]byte{"password": []byte("hunter2")},
				}
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "Secret data edited live",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.Secret{
					ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns"},
					StringData: map[string]string{"password": "hunter2"},
				}, nil)
				live := m.Desired().(*corev1.Secret).DeepCopy()
				live.Data["password"] = []byte("x")
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .data.password: the live value differs (***)"},
		},
		{
			name: "a non-pointer zero in the desired state is left to the server",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Template.Spec.Containers[0].Ports[0].HostPort = 0 // int32, no pointer: the server's
				d.Spec.Template.Spec.Containers[0].Ports = append(d.Spec.Template.Spec.Containers[0].Ports,
					corev1.ContainerPort{Name: "zero"})
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				live.Spec.Template.Spec.Containers[0].Ports[1].ContainerPort = 8080
				live.Spec.Template.Spec.Containers[0].Ports[1].Protocol = corev1.ProtocolTCP
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "an explicit false (pointer) is enforced",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(false)
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				live.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(true)
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .spec.template.spec.automountServiceAccountToken: want false, live has true"},
		},
		{
			name: "an explicit false removed from the live object is put back",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(false)
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				live.Spec.Template.Spec.AutomountServiceAccountToken = nil
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .spec.template.spec.automountServiceAccountToken: missing on the live object"},
		},
		{
			name: "explicit replicas 0 is enforced",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Replicas = ptr.To[int32](0)
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				live.Spec.Replicas = ptr.To[int32](3)
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .spec.replicas: want 0, live has 3"},
		},
		{
			name: "explicit allowPrivilegeEscalation false is enforced",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)}
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				live.Spec.Template.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = ptr.To(true)
				m.setLive(live)
				return m, live
			},
			want: verdict{true, "live object drifted: .spec.template.spec.containers[name=web].securityContext.allowPrivilegeEscalation: want false, live has true"},
		},
		{
			name: "explicit zeros equal on the live object: nothing to do",
			build: func(t *testing.T) (MutableResource, client.Object) {
				d := webDeployment()
				d.Spec.Replicas = ptr.To[int32](0)
				d.Spec.Template.Spec.AutomountServiceAccountToken = ptr.To(false)
				d.Spec.Template.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{AllowPrivilegeEscalation: ptr.To(false)}
				m := prepared(t, d, nil)
				live := withServerState(m.Desired().(*appsv1.Deployment))
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
		{
			name: "WithoutOwnerReference: no owner reference expected",
			build: func(t *testing.T) (MutableResource, client.Object) {
				m := prepared(t, &corev1.ConfigMap{
					ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "ns"},
					Data:       map[string]string{"a": "1"},
				}, nil, WithoutOwnerReference())
				live := m.Desired().(*corev1.ConfigMap).DeepCopy()
				m.setLive(live)
				return m, live
			},
			want: verdict{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := tc.build(t)
			need, reason := m.NeedsUpdate()
			if diff := cmp.Diff(tc.want, verdict{need, reason}); diff != "" {
				t.Errorf("NeedsUpdate() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNeedsUpdateBeforePrepareOrFetch(t *testing.T) {
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cfg", Namespace: "ns"}}

	m := NewMutable(cm, nil)
	m.setLive(cm.DeepCopy())
	if need, reason := m.NeedsUpdate(); need || reason != "" {
		t.Errorf("before Prepare: NeedsUpdate() = %v, %q; want false, \"\"", need, reason)
	}

	m = prepared(t, cm, nil)
	if need, reason := m.NeedsUpdate(); need || reason != "" {
		t.Errorf("missing object: NeedsUpdate() = %v, %q; want false, \"\"", need, reason)
	}
}

func TestBodyOf(t *testing.T) {
	tests := []struct {
		name     string
		in       map[string]any
		explicit paths
		leave    []string
		want     map[string]any
	}{
		{
			name: "keeps type, identity, labels, annotations, owners, spec; drops server metadata and status",
			in: map[string]any{
				"apiVersion": "v1",
				"kind":       "ConfigMap",
				"metadata": map[string]any{
					"name":              "cfg",
					"namespace":         "ns",
					"resourceVersion":   "1",
					"creationTimestamp": nil,
					"ownerReferences":   []any{map[string]any{"name": "owner"}},
					"labels":            map[string]any{"a": "1"},
					"annotations":       map[string]any{"b": "2"},
				},
				"data":   map[string]any{"k": "v"},
				"status": map[string]any{"phase": "Bound"},
			},
			want: map[string]any{
				"apiVersion": "v1",
				"kind":       "ConfigMap",
				"metadata": map[string]any{
					"name":            "cfg",
					"namespace":       "ns",
					"ownerReferences": []any{map[string]any{"name": "owner"}},
					"labels":          map[string]any{"a": "1"},
					"annotations":     map[string]any{"b": "2"},
				},
				"data": map[string]any{"k": "v"},
			},
		},
		{
			name: "nulls, and zeros and empties the operator did not set, are left out",
			in: map[string]any{
				"metadata": map[string]any{"name": "x"},
				"spec": map[string]any{
					"a": nil,
					"b": map[string]any{},
					"c": []any{},
					"d": map[string]any{"e": map[string]any{"f": nil}},
					"g": []any{nil, map[string]any{}, "", int64(0)},
					"h": false,
					"i": int64(0),
				},
			},
			explicit: paths{".spec.g[2]": {}, ".spec.g[3]": {}, ".spec.i": {}},
			want: map[string]any{
				"metadata": map[string]any{"name": "x"},
				"spec": map[string]any{
					"g": []any{map[string]any{}, map[string]any{}, "", int64(0)},
					"i": int64(0),
				},
			},
		},
		{
			name: "explicit empty objects stay (emptyDir: {})",
			in: map[string]any{"spec": map[string]any{"volumes": []any{
				map[string]any{"name": "tmp", "emptyDir": map[string]any{}},
			}}},
			explicit: paths{".spec.volumes[0].emptyDir": {}},
			want: map[string]any{"spec": map[string]any{"volumes": []any{
				map[string]any{"name": "tmp", "emptyDir": map[string]any{}},
			}}},
		},
		{
			name: "fields left to others are removed, in list items too",
			in: map[string]any{"spec": map[string]any{
				"replicas": int64(3),
				"template": map[string]any{"spec": map[string]any{"containers": []any{
					map[string]any{"name": "app", "image": "a", "resources": map[string]any{"limits": map[string]any{"cpu": "1"}}},
					map[string]any{"name": "other", "image": "b", "resources": map[string]any{"limits": map[string]any{"cpu": "1"}}},
				}}},
			}},
			leave: []string{".spec.replicas", ".spec.template.spec.containers[name=app].resources"},
			want: map[string]any{"spec": map[string]any{
				"template": map[string]any{"spec": map[string]any{"containers": []any{
					map[string]any{"name": "app", "image": "a"},
					map[string]any{"name": "other", "image": "b", "resources": map[string]any{"limits": map[string]any{"cpu": "1"}}},
				}}},
			}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var leave [][]segment
			for _, p := range tc.leave {
				segs, err := parseFieldPath(p)
				if err != nil {
					t.Fatal(err)
				}
				leave = append(leave, segs)
			}
			if diff := cmp.Diff(tc.want, bodyOf(tc.in, tc.explicit, leave)); diff != "" {
				t.Errorf("bodyOf() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseFieldPath(t *testing.T) {
	for _, bad := range []string{"spec.replicas", ".", ".spec..x", ".a[b]", ".a[=x]"} {
		if _, err := parseFieldPath(bad); err == nil {
			t.Errorf("parseFieldPath(%q) accepted", bad)
		}
	}
	segs, err := parseFieldPath(".spec.template.spec.containers[name=a.b].resources")
	if err != nil {
		t.Fatal(err)
	}
	want := []segment{{field: "spec"}, {field: "template"}, {field: "spec"}, {field: "containers", key: "name", value: "a.b"}, {field: "resources"}}
	if diff := cmp.Diff(want, segs, cmp.AllowUnexported(segment{})); diff != "" {
		t.Errorf("segments (-want +got):\n%s", diff)
	}
}

func TestBodyOfDoesNotModifyItsInput(t *testing.T) {
	in := map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{HashAnnotation: "h", "x": "y"},
	}, "spec": map[string]any{"a": nil}}
	bodyOf(in, nil, nil)
	want := map[string]any{"metadata": map[string]any{
		"annotations": map[string]any{HashAnnotation: "h", "x": "y"},
	}, "spec": map[string]any{"a": nil}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("input modified (-want +got):\n%s", diff)
	}
}

// fieldsV1 returns a managedFields entry of manager with the given FieldsV1
// JSON.
func fieldsV1(manager string, op metav1.ManagedFieldsOperationType, raw string) metav1.ManagedFieldsEntry {
	return metav1.ManagedFieldsEntry{Manager: manager, Operation: op, FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(raw)}}
}

func TestDrift(t *testing.T) {
	// What the API server records for a Deployment's container list: items
	// keyed by name, ports by containerPort and protocol (a defaulted key).
	okt := fieldsV1("okt", metav1.ManagedFieldsOperationApply,
		`{"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}},"f:finalizers":{"v:\"a\"":{}},"f:args":{}}}`)
	other := fieldsV1("injector", metav1.ManagedFieldsOperationUpdate,
		`{"f:spec":{"f:containers":{"k:{\"name\":\"proxy\"}":{".":{},"f:image":{},"f:name":{}},"k:{\"name\":\"app\"}":{"f:image":{}}}}}`)
	app := func(image string) map[string]any {
		return map[string]any{"name": "app", "image": image, "ports": []any{map[string]any{"containerPort": int64(80)}}}
	}
	liveApp := func(image string) map[string]any {
		return map[string]any{"name": "app", "image": image, "ports": []any{map[string]any{"containerPort": int64(80), "protocol": "TCP"}}}
	}
	proxy := map[string]any{"name": "proxy", "image": "envoy"}
	tests := []struct {
		name      string
		entries   []metav1.ManagedFieldsEntry
		want, got any
		drift     string
		manager   string
	}{
		{"equal scalars", nil, "a", "a", "", ""},
		{"int64 vs float64", nil, int64(3), float64(3), "", ""},
		{"int32 vs int64", nil, int32(3), int64(3), "", ""},
		{"different numbers", nil, int64(3), int64(4), ".: want 3, live has 4", ""},
		{"number vs string", nil, int64(3), "3", `.: want 3, live has "3"`, ""},
		{"extra live keys ignored", nil, map[string]any{"a": "1"}, map[string]any{"a": "1", "b": "2"}, "", ""},
		{"object vs scalar", nil, map[string]any{"a": "1"}, "x", `.: want an object, live has "x"`, ""},
		{"missing key", nil, map[string]any{"a": "1"}, map[string]any{}, ".a: missing on the live object", ""},
		// The API server keeps no empty labels: {} of an unstructured object;
		// taking it as drift wrote at every reconcile (found by
		// TestForeignCustomResource).
		{"empty object the server dropped", nil, map[string]any{"labels": map[string]any{}, "a": "1"}, map[string]any{"a": "1"}, "", ""},
		{"empty list the server dropped", nil, map[string]any{"items": []any{}}, map[string]any{}, "", ""},
		{"first drift in key order", nil, map[string]any{"b": "1", "a": "1"}, map[string]any{"a": "2", "b": "2"}, `.a: want "1", live has "2"`, ""},
		{"atomic list: extra item is drift", []metav1.ManagedFieldsEntry{okt}, map[string]any{"args": []any{"a"}}, map[string]any{"args": []any{"a", "b"}},
			`.args: want 1 item(s), live has ["a","b"]`, ""},
		{"keyed list: another writer's item is not drift", []metav1.ManagedFieldsEntry{okt, other},
			map[string]any{"containers": []any{app("nginx")}}, map[string]any{"containers": []any{map[string]any(proxy), liveApp("nginx")}}, "", ""},
		{"keyed list: own item's field changed, owner named", []metav1.ManagedFieldsEntry{okt, other},
			map[string]any{"containers": []any{app("nginx")}}, map[string]any{"containers": []any{liveApp("evil")}},
			`.containers[name=app].image: want "nginx", live has "evil"`, `"injector" (Update)`},
		{"keyed list: own item missing", []metav1.ManagedFieldsEntry{okt},
			map[string]any{"containers": []any{app("nginx")}}, map[string]any{"containers": []any{map[string]any(proxy)}},
			".containers[name=app]: missing on the live object", ""},
		{"keyed list: defaulted key field", []metav1.ManagedFieldsEntry{okt},
			map[string]any{"containers": []any{app("nginx")}}, map[string]any{"containers": []any{liveApp("nginx")}}, "", ""},
		{"set: another writer's value is not drift", []metav1.ManagedFieldsEntry{okt},
			map[string]any{"finalizers": []any{"a"}}, map[string]any{"finalizers": []any{"b", "a"}}, "", ""},
		{"set: own value missing", []metav1.ManagedFieldsEntry{okt},
			map[string]any{"finalizers": []any{"a"}}, map[string]any{"finalizers": []any{"b"}}, `.finalizers: item "a" missing on the live object`, ""},
		{"no managedFields: keys guessed by name", nil,
			map[string]any{"containers": []any{app("nginx")}}, map[string]any{"containers": []any{map[string]any(proxy), liveApp("nginx")}}, "", ""},
		{
			"long value cut at 80 bytes", nil,
			strings.Repeat("x", 100), "y",
			`.: want "` + strings.Repeat("x", 76) + `..., live has "y"`, "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			own := newOwnership(tc.entries, "okt")
			// The entries are those of the spec: compare there.
			d := differ{own: own}.drift(tc.want, tc.got, fieldpath.Path{fieldpath.PathElement{FieldName: ptr.To("spec")}}, "")
			got, manager := "", ""
			if d != nil {
				got, manager = d.String(), own.managerOf(d)
			}
			if diff := cmp.Diff(tc.drift, got); diff != "" {
				t.Errorf("drift() mismatch (-want +got):\n%s", diff)
			}
			if tc.manager != "" && manager != tc.manager {
				t.Errorf("manager %q, want %q", manager, tc.manager)
			}
		})
	}
}
