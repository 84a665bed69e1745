package scaffolds

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Kind describes a Kubernetes kind that `okt create resource` can add to a
// controller: where its Go type lives and how RBAC names it.
type Kind struct {
	// Kind is the Go type and API kind, for example "Deployment".
	Kind string `json:"kind"`
	// Group is the API group, empty for the core group.
	Group string `json:"group"`
	// Version is the API version, for example "v1".
	Version string `json:"version"`
	// ImportPath is the Go package of the type, for example "k8s.io/api/apps/v1".
	ImportPath string `json:"importPath"`
	// Alias is the import alias used in generated code, for example "appsv1".
	Alias string `json:"alias"`
	// Plural is the resource name used in RBAC rules, for example "deployments".
	Plural string `json:"plural"`
	// ClusterScoped marks a kind whose objects have no namespace (a
	// ClusterRole, a Namespace). The builder gives them cluster-unique names
	// ("<namespace>-<custom resource name>-<name>"); okt ties them to their
	// namespaced custom resource by its owner label, since an owner
	// reference cannot, and the controller watches them with
	// okt.EnqueueOwner instead of Owns.
	ClusterScoped bool `json:"clusterScoped,omitempty"`
	// Unstructured marks a kind without a Go type (not in the dictionary,
	// taken from a manifest): objects are *unstructured.Unstructured, and
	// ImportPath and Alias are empty. Not read from kinds files.
	Unstructured bool `json:"-"`
}

// APIVersion returns the kind's apiVersion as written in manifests.
func (k Kind) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// RBACGroup returns the group as written in a +kubebuilder:rbac marker.
func (k Kind) RBACGroup() string {
	if k.Group == "" {
		return "core"
	}
	return k.Group
}

var (
	kindRE   = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	aliasRE  = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	pluralRE = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)
)

// Validate reports the first missing or malformed field.
func (k Kind) Validate() error {
	switch {
	case !kindRE.MatchString(k.Kind):
		return fmt.Errorf("kind %q must be an UpperCamelCase identifier", k.Kind)
	case k.Version == "":
		return fmt.Errorf("kind %s: version is required", k.Kind)
	case k.Unstructured:
		if k.ImportPath != "" || k.Alias != "" {
			return fmt.Errorf("kind %s: an unstructured kind has no importPath nor alias", k.Kind)
		}
		if !pluralRE.MatchString(k.Plural) {
			return fmt.Errorf("kind %s: plural %q must be a lowercase resource name", k.Kind, k.Plural)
		}
		return nil
	case k.ImportPath == "":
		return fmt.Errorf("kind %s: importPath is required", k.Kind)
	case !aliasRE.MatchString(k.Alias):
		return fmt.Errorf("kind %s: alias %q must be a lowercase Go identifier", k.Kind, k.Alias)
	case !pluralRE.MatchString(k.Plural):
		return fmt.Errorf("kind %s: plural %q must be a lowercase resource name", k.Kind, k.Plural)
	}
	return nil
}

// Kinds is a dictionary of kinds by Kind name.
type Kinds map[string]Kind

// DefaultKinds returns the kinds okt knows without a kinds file.
func DefaultKinds() Kinds {
	core := func(kind, plural string) Kind {
		return Kind{Kind: kind, Version: "v1", ImportPath: "k8s.io/api/core/v1", Alias: "corev1", Plural: plural}
	}
	apps := func(kind, plural string) Kind {
		return Kind{Kind: kind, Group: "apps", Version: "v1", ImportPath: "k8s.io/api/apps/v1", Alias: "appsv1", Plural: plural}
	}
	rbac := func(kind, plural string) Kind {
		return Kind{Kind: kind, Group: "rbac.authorization.k8s.io", Version: "v1",
			ImportPath: "k8s.io/api/rbac/v1", Alias: "rbacv1", Plural: plural}
	}
	admission := func(kind, plural string) Kind {
		return Kind{Kind: kind, Group: "admissionregistration.k8s.io", Version: "v1",
			ImportPath: "k8s.io/api/admissionregistration/v1", Alias: "admissionregistrationv1", Plural: plural, ClusterScoped: true}
	}
	cluster := func(k Kind) Kind {
		k.ClusterScoped = true
		return k
	}
	list := []Kind{
		core("ConfigMap", "configmaps"),
		core("Secret", "secrets"),
		core("Service", "services"),
		core("ServiceAccount", "serviceaccounts"),
		core("PersistentVolumeClaim", "persistentvolumeclaims"),
		core("ResourceQuota", "resourcequotas"),
		core("LimitRange", "limitranges"),
		cluster(core("Namespace", "namespaces")),
		cluster(core("PersistentVolume", "persistentvolumes")),
		apps("Deployment", "deployments"),
		apps("StatefulSet", "statefulsets"),
		apps("DaemonSet", "daemonsets"),
		{Kind: "Job", Group: "batch", Version: "v1", ImportPath: "k8s.io/api/batch/v1", Alias: "batchv1", Plural: "jobs"},
		{Kind: "CronJob", Group: "batch", Version: "v1", ImportPath: "k8s.io/api/batch/v1", Alias: "batchv1", Plural: "cronjobs"},
		rbac("Role", "roles"),
		rbac("RoleBinding", "rolebindings"),
		cluster(rbac("ClusterRole", "clusterroles")),
		cluster(rbac("ClusterRoleBinding", "clusterrolebindings")),
		admission("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
		admission("MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
		{Kind: "PriorityClass", Group: "scheduling.k8s.io", Version: "v1", ImportPath: "k8s.io/api/scheduling/v1",
			Alias: "schedulingv1", Plural: "priorityclasses", ClusterScoped: true},
		{Kind: "StorageClass", Group: "storage.k8s.io", Version: "v1", ImportPath: "k8s.io/api/storage/v1",
			Alias: "storagev1", Plural: "storageclasses", ClusterScoped: true},
		{Kind: "IngressClass", Group: "networking.k8s.io", Version: "v1", ImportPath: "k8s.io/api/networking/v1",
			Alias: "networkingv1", Plural: "ingressclasses", ClusterScoped: true},
		{Kind: "PodDisruptionBudget", Group: "policy", Version: "v1", ImportPath: "k8s.io/api/policy/v1",
			Alias: "policyv1", Plural: "poddisruptionbudgets"},
		{Kind: "Ingress", Group: "networking.k8s.io", Version: "v1", ImportPath: "k8s.io/api/networking/v1",
			Alias: "networkingv1", Plural: "ingresses"},
		{Kind: "NetworkPolicy", Group: "networking.k8s.io", Version: "v1", ImportPath: "k8s.io/api/networking/v1",
			Alias: "networkingv1", Plural: "networkpolicies"},
		{Kind: "HorizontalPodAutoscaler", Group: "autoscaling", Version: "v2", ImportPath: "k8s.io/api/autoscaling/v2",
			Alias: "autoscalingv2", Plural: "horizontalpodautoscalers"},
	}
	ks := make(Kinds, len(list))
	for _, k := range list {
		ks[k.Kind] = k
	}
	return ks
}

// kindsFile is the format of a kinds file.
type kindsFile struct {
	Kinds []Kind `json:"kinds"`
}

// LoadKinds returns the default kinds extended (or overridden, by Kind
// name) with the kinds of a YAML document such as:
//
//	kinds:
//	- kind: Certificate
//	  group: cert-manager.io
//	  version: v1
//	  importPath: github.com/cert-manager/cert-manager/pkg/apis/certmanager/v1
//	  alias: certmanagerv1
//	  plural: certificates
//
// A cluster-scoped kind says so with "clusterScoped: true".
func LoadKinds(data []byte) (Kinds, error) {
	ks := DefaultKinds()
	if len(data) == 0 {
		return ks, nil
	}
	var f kindsFile
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		return nil, fmt.Errorf("cannot decode the kinds file: %w", err)
	}
	for _, k := range f.Kinds {
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("invalid kinds file: %w", err)
		}
		ks[k.Kind] = k
	}
	return ks, nil
}

// Names returns the kind names in alphabetical order.
func (ks Kinds) Names() []string {
	names := make([]string, 0, len(ks))
	for n := range ks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the kind named name. The error lists the known kinds and
// suggests the correctly-cased name when only the case differs.
func (ks Kinds) Lookup(name string) (Kind, error) {
	if k, ok := ks[name]; ok {
		return k, nil
	}
	for n := range ks {
		if strings.EqualFold(n, name) {
			return Kind{}, fmt.Errorf("unknown --type %q: did you mean %q?", name, n)
		}
	}
	return Kind{}, fmt.Errorf("unknown --type %q: known types are %s (add others with --kinds-file)",
		name, strings.Join(ks.Names(), ", "))
}
