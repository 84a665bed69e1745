package scaffolds

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
)

// Import lines used by the stubs.
const (
	importCoreV1   = `corev1 "k8s.io/api/core/v1"`
	importMetaV1   = `metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"`
	importIntstr   = `"k8s.io/apimachinery/pkg/util/intstr"`
	importQuantity = `"k8s.io/apimachinery/pkg/api/resource"`
)

// stub is the Go code that builds one kind with sensible defaults.
type stub struct {
	imports []string // besides the kind's own package and metav1
	pod     bool     // declares image (and replicas) variables
	vars    string   // statements before the object literal
	spec    string   // fields of the object literal after ObjectMeta
	mutate  string   // statements of the mutate function
}

// policyRule is the rule of the Role and ClusterRole stubs.
const policyRule = `		// The operator can grant only permissions it holds itself, unless
		// it may escalate (its RBAC marker for this kind has the verb).
		Rules: []{{ .Alias }}.PolicyRule{{"{{"}}
			APIGroups: []string{""},
			Resources: []string{"configmaps"},
			Verbs:     []string{"get", "list", "watch"},
		}},
`

// webhook is the webhook of the admission webhook configuration stubs (%s:
// the type of the webhook, %s: the path its server serves).
const webhook = `		Webhooks: []{{ .Alias }}.%s{{"{{"}}
			// A webhook's name is fully qualified, unique in its configuration.
			Name: "{{ .Name }}.{{ lower .CRKind }}.{{ .Domain }}",
			ClientConfig: {{ .Alias }}.WebhookClientConfig{
				// TODO(user): the Service of the webhook server, and the CA
				// that signed its certificate (CABundle).
				Service: &{{ .Alias }}.ServiceReference{
					Namespace: cr.Namespace,
					Name:      cr.Name + "-{{ .Name }}",
					Path:      &path,
				},
			},
			Rules: []{{ .Alias }}.RuleWithOperations{{"{{"}}
				Operations: []{{ .Alias }}.OperationType{ {{- .Alias }}.Create, {{ .Alias }}.Update},
				Rule: {{ .Alias }}.Rule{
					APIGroups:   []string{""},
					APIVersions: []string{"v1"},
					Resources:   []string{"configmaps"},
				},
			}},
			// Only the objects of the {{ .CRKind }}'s namespace.
			NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{"kubernetes.io/metadata.name": cr.Namespace},
			},
			// Ignore: while the webhook server does not answer, requests pass.
			FailurePolicy:           &failurePolicy,
			SideEffects:             &sideEffects,
			AdmissionReviewVersions: []string{"v1"},
		}},
`

const webhookVars = `	path := "/%s"
	failurePolicy := {{ .Alias }}.Ignore
	sideEffects := {{ .Alias }}.SideEffectClassNone
`

const podTemplate = `			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{"{{"}}
						Name:  "{{ .Name }}",
						Image: image,
					}},
				},
			},
`

var stubs = map[string]stub{
	"ConfigMap": {
		spec: `		Data: map[string]string{},
`,
		mutate: `		// For example: desired.Data["config.yaml"] = cr.Spec.Config
`,
	},
	"Secret": {
		spec: `		Type: corev1.SecretTypeOpaque,
		Data: map[string][]byte{},
`,
		imports: []string{importCoreV1},
		mutate: `		// For example: desired.Data["password"] = []byte(password)
`,
	},
	"Service": {
		imports: []string{importCoreV1, importIntstr},
		spec: `		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports: []corev1.ServicePort{{"{{"}}
				Name:       "http",
				Port:       80,
				TargetPort: intstr.FromInt32(8080),
			}},
		},
`,
		mutate: `		// For example: desired.Spec.Ports[0].Port = cr.Spec.Port
`,
	},
	"ServiceAccount": {
		mutate: `		// For example: desired.Annotations = cr.Spec.ServiceAccountAnnotations
`,
	},
	"PersistentVolumeClaim": {
		imports: []string{importCoreV1, importQuantity},
		spec: `		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			},
		},
`,
		mutate: `		// Most of a claim's spec is immutable once created; only requests may grow.
`,
	},
	"Deployment": {
		imports: []string{importCoreV1},
		pod:     true,
		spec: `		Spec: {{ .Alias }}.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
` + podTemplate + `		},
`,
		mutate: `		replicas := {{ .Replicas }}
		desired.Spec.Replicas = &replicas
`,
	},
	"StatefulSet": {
		imports: []string{importCoreV1},
		pod:     true,
		spec: `		Spec: {{ .Alias }}.StatefulSetSpec{
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: labels},
` + podTemplate + `		},
`,
		mutate: `		replicas := {{ .Replicas }}
		desired.Spec.Replicas = &replicas
`,
	},
	"DaemonSet": {
		imports: []string{importCoreV1},
		pod:     true,
		spec: `		Spec: {{ .Alias }}.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
` + podTemplate + `		},
`,
		mutate: `		// For example: desired.Spec.Template.Spec.NodeSelector = cr.Spec.NodeSelector
`,
	},
	"Job": {
		imports: []string{importCoreV1},
		pod:     true,
		spec: `		Spec: {{ .Alias }}.JobSpec{
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{"{{"}}
						Name:    "{{ .Name }}",
						Image:   image,
						Command: []string{"sh", "-c", "echo done"},
					}},
				},
			},
		},
`,
		mutate: `		// A Job's pod template is immutable: to change it, build the resource
		// with resources.RecreateOnImmutableChange() (the Job runs again).
`,
	},
	"CronJob": {
		imports: []string{importCoreV1},
		pod:     true,
		spec: `		Spec: {{ .Alias }}.CronJobSpec{
			Schedule: "*/5 * * * *",
			JobTemplate: {{ .Alias }}.JobTemplateSpec{
				Spec: {{ .Alias }}.JobSpec{
					Template: corev1.PodTemplateSpec{
						ObjectMeta: metav1.ObjectMeta{Labels: labels},
						Spec: corev1.PodSpec{
							RestartPolicy: corev1.RestartPolicyOnFailure,
							Containers: []corev1.Container{{"{{"}}
								Name:    "{{ .Name }}",
								Image:   image,
								Command: []string{"sh", "-c", "date"},
							}},
						},
					},
				},
			},
		},
`,
		mutate: `		// For example: desired.Spec.Schedule = cr.Spec.Schedule
`,
	},
	"Role": {
		spec: policyRule,
		mutate: `		// For example: desired.Rules = append(desired.Rules, ...)
`,
	},
	"ClusterRole": {
		spec: policyRule,
		mutate: `		// For example: desired.Rules = append(desired.Rules, ...)
`,
	},
	"ClusterRoleBinding": {
		spec: `		// RoleRef is immutable once created. The ClusterRole of the same
		// name: ` + "`okt create resource --type ClusterRole --name {{ .Name }}`" + `.
		RoleRef: {{ .Alias }}.RoleRef{
			APIGroup: "rbac.authorization.k8s.io",
			Kind:     "ClusterRole",
			Name:     name,
		},
		Subjects: []{{ .Alias }}.Subject{{"{{"}}
			Kind:      "ServiceAccount",
			Name:      "default",
			Namespace: cr.Namespace,
		}},
`,
		mutate: `		// For example: desired.Subjects[0].Name = cr.Spec.ServiceAccountName
`,
	},
	"Namespace": {
		mutate: `		// For example:
		// desired.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
`,
	},
	"PersistentVolume": {
		imports: []string{importCoreV1, importQuantity},
		spec: `		Spec: corev1.PersistentVolumeSpec{
			Capacity:                      corev1.ResourceList{corev1.ResourceStorage: resource.MustParse("1Gi")},
			AccessModes:                   []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			PersistentVolumeReclaimPolicy: corev1.PersistentVolumeReclaimRetain,
			// TODO(user): the storage (a CSI volume, NFS...): a host path
			// suits single-node test clusters only.
			PersistentVolumeSource: corev1.PersistentVolumeSource{
				HostPath: &corev1.HostPathVolumeSource{Path: "/mnt/" + name},
			},
		},
`,
		mutate: `		// A volume's source is immutable once created.
`,
	},
	"ResourceQuota": {
		imports: []string{importCoreV1, importQuantity},
		spec: `		Spec: corev1.ResourceQuotaSpec{
			Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("10")},
		},
`,
		mutate: `		// For example: desired.Spec.Hard[corev1.ResourcePods] = resource.MustParse(cr.Spec.MaxPods)
`,
	},
	"LimitRange": {
		imports: []string{importCoreV1, importQuantity},
		spec: `		Spec: corev1.LimitRangeSpec{
			Limits: []corev1.LimitRangeItem{{"{{"}}
				Type: corev1.LimitTypeContainer,
				DefaultRequest: corev1.ResourceList{
					corev1.ResourceCPU:    resource.MustParse("100m"),
					corev1.ResourceMemory: resource.MustParse("128Mi"),
				},
			}},
		},
`,
		mutate: `		// For example: desired.Spec.Limits[0].Max = ...
`,
	},
	"PriorityClass": {
		spec: `		// Value is immutable once created.
		Value:       1000,
		Description: "Pods of the {{ .CRKind }} " + cr.Namespace + "/" + cr.Name,
`,
		mutate: `		// For example: desired.PreemptionPolicy = &policy
`,
	},
	"StorageClass": {
		imports: []string{importCoreV1},
		vars: `	reclaimPolicy := corev1.PersistentVolumeReclaimDelete
	bindingMode := {{ .Alias }}.VolumeBindingWaitForFirstConsumer
`,
		spec: `		// TODO(user): the provisioner (a CSI driver) and its parameters;
		// they are immutable once created, as is the reclaim policy.
		Provisioner:       "kubernetes.io/no-provisioner",
		ReclaimPolicy:     &reclaimPolicy,
		VolumeBindingMode: &bindingMode,
`,
		mutate: `		// For example: desired.AllowVolumeExpansion = &cr.Spec.AllowVolumeExpansion
`,
	},
	"IngressClass": {
		spec: `		Spec: {{ .Alias }}.IngressClassSpec{
			// TODO(user): the controller that implements the class, such as
			// k8s.io/ingress-nginx; immutable once created.
			Controller: "example.com/ingress-controller",
		},
`,
		mutate: `		// For example: desired.Spec.Parameters = &networkingv1.IngressClassParametersReference{...}
`,
	},
	"ValidatingWebhookConfiguration": {
		vars: fmt.Sprintf(webhookVars, "validate"),
		spec: fmt.Sprintf(webhook, "ValidatingWebhook"),
		mutate: `		// For example: desired.Webhooks[0].ClientConfig.CABundle = caBundle
`,
	},
	"MutatingWebhookConfiguration": {
		vars: fmt.Sprintf(webhookVars, "mutate"),
		spec: fmt.Sprintf(webhook, "MutatingWebhook"),
		mutate: `		// For example: desired.Webhooks[0].ClientConfig.CABundle = caBundle
`,
	},
	"RoleBinding": {
		spec: `		// RoleRef is immutable once created.
		RoleRef: {{ .Alias }}.RoleRef{
			APIGroup: "rbac.authorization.k8s.io",
			Kind:     "Role",
			Name:     name,
		},
		Subjects: []{{ .Alias }}.Subject{{"{{"}}
			Kind:      "ServiceAccount",
			Name:      name,
			Namespace: cr.Namespace,
		}},
`,
		mutate: `		// For example: desired.Subjects[0].Name = cr.Spec.ServiceAccountName
`,
	},
	"PodDisruptionBudget": {
		imports: []string{importIntstr},
		spec: `		Spec: {{ .Alias }}.PodDisruptionBudgetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
		},
`,
		mutate: `		minAvailable := intstr.FromInt32(1)
		desired.Spec.MinAvailable = &minAvailable
`,
	},
	"Ingress": {
		spec: `		Spec: {{ .Alias }}.IngressSpec{
			Rules: []{{ .Alias }}.IngressRule{{"{{"}}
				IngressRuleValue: {{ .Alias }}.IngressRuleValue{
					HTTP: &{{ .Alias }}.HTTPIngressRuleValue{
						Paths: []{{ .Alias }}.HTTPIngressPath{{"{{"}}
							Path:     "/",
							PathType: &pathType,
							Backend: {{ .Alias }}.IngressBackend{
								Service: &{{ .Alias }}.IngressServiceBackend{
									Name: name,
									Port: {{ .Alias }}.ServiceBackendPort{Number: 80},
								},
							},
						}},
					},
				},
			}},
		},
`,
		mutate: `		// For example: desired.Spec.Rules[0].Host = cr.Spec.Host
`,
	},
	"NetworkPolicy": {
		spec: `		Spec: {{ .Alias }}.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: labels},
			PolicyTypes: []{{ .Alias }}.PolicyType{ {{- .Alias }}.PolicyTypeIngress},
			// One empty rule: allow all ingress to the selected pods.
			Ingress: []{{ .Alias }}.NetworkPolicyIngressRule{ {} },
		},
`,
		mutate: `		// For example: restrict desired.Spec.Ingress from cr.Spec.
`,
	},
	"HorizontalPodAutoscaler": {
		imports: []string{importCoreV1},
		spec: `		Spec: {{ .Alias }}.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: {{ .Alias }}.CrossVersionObjectReference{
				APIVersion: "apps/v1",
				Kind:       "Deployment",
				Name:       name,
			},
			MaxReplicas: 3,
			Metrics: []{{ .Alias }}.MetricSpec{{"{{"}}
				Type: {{ .Alias }}.ResourceMetricSourceType,
				Resource: &{{ .Alias }}.ResourceMetricSource{
					Name: corev1.ResourceCPU,
					Target: {{ .Alias }}.MetricTarget{
						Type:               {{ .Alias }}.UtilizationMetricType,
						AverageUtilization: &utilization,
					},
				},
			}},
		},
`,
		mutate: `		minReplicas := int32(1)
		desired.Spec.MinReplicas = &minReplicas
`,
	},
}

// genericStub builds kinds with no stub of their own (from a kinds file).
var genericStub = stub{
	mutate: `		// TODO(user): set the fields of the {{ .Kind }}, for example its spec.
`,
}

// stubData is what a stub is rendered with.
type stubData struct {
	Kind          string // the resource's kind, e.g. Deployment
	Alias         string // import alias of the kind's package
	Name          string // resource name (--name)
	NameExpr      string // Go expression of the object's name
	ClusterScoped bool   // the object has no namespace
	ManagedBy     string // the project name
	CRKind        string
	Domain        string // the project's domain
	Image         string // Go expression
	ImageTODO     bool
	Replicas      string // Go expression
	// DependsOn are the statements that declare the order (dependsOn),
	// and the option passed to NewMutable; "" for none.
	DependsOn [2]string
}

const stubBody = `	name := {{ .NameExpr }}
	labels := map[string]string{
		"app.kubernetes.io/name":       "{{ .Name }}",
		"app.kubernetes.io/instance":   cr.Name,
		"app.kubernetes.io/managed-by": "{{ .ManagedBy }}",
	}
{{- if .Pod }}
{{- if .ImageTODO }}
	// TODO(user): take the image from the {{ .CRKind }}'s spec (add an Image field).
{{- end }}
	image := {{ .Image }}
{{- end }}
{{- if eq .Kind "Ingress" }}
	pathType := {{ .Alias }}.PathTypePrefix
{{- end }}
{{- if eq .Kind "HorizontalPodAutoscaler" }}
	utilization := int32(80)
{{- end }}
{{ .Vars -}}
	obj := &{{ .Alias }}.{{ .Kind }}{
{{- if .ClusterScoped }}
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
{{- else }}
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cr.Namespace, Labels: labels},
{{- end }}
{{ .Spec -}}
	}
{{ index .DependsOn 0 -}}
	return resources.NewMutable(obj, func(desired *{{ .Alias }}.{{ .Kind }}) error {
		// USER CODE: set here the fields the operator manages, typically from
		// the {{ .CRKind }}'s spec; okt enforces them at every reconcile.
{{ .Mutate -}}
		return nil
	}{{ index .DependsOn 1 }}), nil`

// renderStub returns the body of the builder function and its imports
// (besides the kind's own package, the CR's and the resources package).
func renderStub(d stubData) (string, []string, error) {
	s, ok := stubs[d.Kind]
	if !ok {
		s = genericStub
	}
	part := func(name, text string) (string, error) {
		t, err := template.New(name).Option("missingkey=error").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(text)
		if err != nil {
			return "", fmt.Errorf("stub %s of %s: %w", name, d.Kind, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return "", fmt.Errorf("stub %s of %s: %w", name, d.Kind, err)
		}
		return b.String(), nil
	}
	spec, err := part("spec", s.spec)
	if err != nil {
		return "", nil, err
	}
	mutate, err := part("mutate", s.mutate)
	if err != nil {
		return "", nil, err
	}
	vars, err := part("vars", s.vars)
	if err != nil {
		return "", nil, err
	}
	t := template.Must(template.New("body").Parse(stubBody))
	var b bytes.Buffer
	err = t.Execute(&b, struct {
		stubData
		Pod                bool
		Vars, Spec, Mutate string
	}{d, s.pod, vars, spec, mutate})
	if err != nil {
		return "", nil, fmt.Errorf("stub of %s: %w", d.Kind, err)
	}
	imports := append([]string{importMetaV1}, s.imports...)
	return b.String(), imports, nil
}
