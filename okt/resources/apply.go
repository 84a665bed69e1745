package resources

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/csaupgrade"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// DefaultFieldManager is the field manager of okt's writes when Env gives
// none. The okt Reconciler names one after its controller ("okt-memcached").
const DefaultFieldManager = "okt"

// fieldManager returns the field manager of env's writes.
func (e Env) fieldManager() string {
	if e.FieldManager != "" {
		return e.FieldManager
	}
	return DefaultFieldManager
}

// defaultManager is the field manager the API server records for a client
// that names none: the program's name, from client-go's User-Agent
// ("manager" for a kubebuilder project). okt wrote under it before it
// applied.
var defaultManager = strings.SplitN(rest.DefaultKubernetesUserAgent(), "/", 2)[0]

// legacyManagers returns the field managers whose Update entries on an object
// okt wrote are okt's own: the default one, the field manager itself and those
// Env lists.
func (e Env) legacyManagers() sets.Set[string] {
	s := sets.New(defaultManager, e.fieldManager())
	s.Insert(e.LegacyFieldManagers...)
	return s
}

// isLegacy reports whether manager is one of okt's former field managers.
func isLegacy(manager, fieldManager string, legacy []string) bool {
	return manager == defaultManager || manager == fieldManager || slices.Contains(legacy, manager)
}

// LeaveToOthers hands fields of the object to other writers: okt sets them
// neither at creation nor after, never sets them back and never reports them
// as drift, an HPA's .spec.replicas for one. Paths are dotted field names;
// a list item is selected by a key field: ".spec.replicas",
// ".spec.template.spec.containers[name=app].resources". A field okt applied
// before is released: the API server keeps it when another manager owns it,
// and removes it otherwise.
func LeaveToOthers(paths ...string) Option {
	return func(o *options) { o.leave = append(o.leave, paths...) }
}

// RecreateOnImmutableChange makes a desired change that the API server
// refuses as immutable (a Deployment's selector, a Job's template, a
// StatefulSet's volumeClaimTemplates) delete the object and create it anew
// with the desired state. Without it, such a change leaves the object as it
// is and the custom resource Stalled, naming the object and the field.
func RecreateOnImmutableChange() Option { return func(o *options) { o.recreate = true } }

// Blocker is a resource that knows its desired state cannot be written to
// its live object: the API server refused that very write as immutable.
// Resources built by NewMutable implement it.
type Blocker interface {
	// Blocked returns the refusal, nil when a write may go.
	Blocked() error
}

// Recreator is a resource that asks to be recreated when a change of its
// desired state is immutable. Resources built RecreateOnImmutableChange
// implement it.
type Recreator interface {
	RecreatesOnImmutableChange() bool
}

// RecreatesOnImmutableChange reports whether the object is built
// RecreateOnImmutableChange.
func (o *Object[O]) RecreatesOnImmutableChange() bool { return o.opts.recreate }

// segment is a step of a LeaveToOthers path: a field, optionally selecting
// the list item whose key field holds a value.
type segment struct {
	field, key, value string
}

var segmentRE = regexp.MustCompile(`^([^.\[\]=]+)(?:\[([^=\[\]]+)=([^\[\]]*)\])?$`)

// parseFieldPath parses a LeaveToOthers path.
func parseFieldPath(path string) ([]segment, error) {
	if !strings.HasPrefix(path, ".") || len(path) < 2 {
		return nil, fmt.Errorf("field path %q must start with a dot, as in .spec.replicas", path)
	}
	var out []segment
	for _, part := range splitPath(path[1:]) {
		m := segmentRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("field path %q: cannot read %q (want a field name, optionally followed by [key=value])", path, part)
		}
		out = append(out, segment{field: m[1], key: m[2], value: m[3]})
	}
	return out, nil
}

// splitPath splits on the dots outside brackets.
func splitPath(p string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range p {
		switch r {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, p[start:i])
				start = i + 1
			}
		}
	}
	return append(out, p[start:])
}

// removePath deletes the field at segs from v.
func removePath(v any, segs []segment) {
	m, ok := v.(map[string]any)
	if !ok || len(segs) == 0 {
		return
	}
	s := segs[0]
	if s.key == "" {
		if len(segs) == 1 {
			delete(m, s.field)
			return
		}
		removePath(m[s.field], segs[1:])
		return
	}
	list, _ := m[s.field].([]any)
	for _, item := range list {
		im, ok := item.(map[string]any)
		if !ok || fmt.Sprint(im[s.key]) != s.value {
			continue
		}
		if len(segs) == 1 {
			continue // a whole item cannot be left: its key is the operator's
		}
		removePath(im, segs[1:])
	}
}

// bodyOf returns the apply body of a desired object u: apiVersion, kind, the
// name, namespace, labels, annotations, owner references and finalizers, and
// everything outside metadata and status, with what the operator did not
// set left out (nulls; zeros and empty objects and lists that the Go type
// holds without the operator setting them: see explicitZeros), and the
// fields of leave removed. Sent as a server-side apply, it is all the
// operator declares: the API server removes what okt applied before and no
// longer declares, and leaves every other field to its owners.
func bodyOf(u map[string]any, explicit paths, leave [][]segment) map[string]any {
	out := map[string]any{}
	for k, v := range u {
		switch k {
		case "status":
			continue
		case "apiVersion", "kind":
			out[k] = v
			continue
		case "metadata":
			md, _ := v.(map[string]any)
			m := map[string]any{}
			for _, f := range []string{"name", "namespace", "labels", "annotations", "ownerReferences", "finalizers"} {
				if x, ok := md[f]; ok {
					if c, keep := clean(x, ".metadata."+f, explicit); keep {
						m[f] = c
					}
				}
			}
			out["metadata"] = m
			continue
		}
		if c, keep := clean(v, "."+k, explicit); keep {
			out[k] = c
		}
	}
	for _, segs := range leave {
		removePath(out, segs)
	}
	return out
}

// clean returns a copy of v without nulls, and without the zero scalars and
// empty objects and lists that explicit does not list; false when nothing is
// left. path is v's path in explicit's notation, built in place: only a zero
// or an empty value looks it up.
func clean(v any, path string, explicit paths) (any, bool) {
	return cleanAt(v, []byte(path), explicit)
}

func cleanAt(v any, path []byte, explicit paths) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, false
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			p := append(append(path, '.'), k...)
			if c, ok := cleanAt(x, p, explicit); ok {
				out[k] = c
			}
		}
		if len(out) == 0 && !explicit.hasBytes(path) {
			return nil, false
		}
		return out, true
	case []any:
		if len(t) == 0 {
			return []any{}, explicit.hasBytes(path)
		}
		out := make([]any, len(t))
		for i, x := range t {
			p := append(strconv.AppendInt(append(path, '['), int64(i), 10), ']')
			c, ok := cleanAt(x, p, explicit)
			if !ok {
				c = map[string]any{}
			}
			out[i] = c
		}
		return out, true
	}
	if isZero(v) && !explicit.hasBytes(path) {
		return nil, false
	}
	return v, true
}

// applyBody sends body as a server-side apply with env's field manager,
// forcing its ownership of the fields it holds, and returns the object the
// API server answered with, decoded as an O (no unstructured round trip).
func applyBody[O client.Object](ctx context.Context, env Env, body map[string]any, out O) (O, error) {
	var zero O
	apiVersion, _ := body["apiVersion"].(string)
	kind, _ := body["kind"].(string)
	md, _ := body["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	namespace, _ := md["namespace"].(string)
	if apiVersion == "" || kind == "" {
		return zero, fmt.Errorf("cannot apply %s %s: its apiVersion or kind is unknown (give Env a Scheme that knows its type)", kind, name)
	}
	data, err := json.Marshal(body)
	if err != nil {
		return zero, fmt.Errorf("cannot encode %s %s: %w", kind, name, err)
	}
	if u, ok := any(out).(*unstructured.Unstructured); ok {
		u.SetAPIVersion(apiVersion)
		u.SetKind(kind)
	}
	out.SetName(name)
	out.SetNamespace(namespace)
	if err := env.Client.Patch(ctx, out, client.RawPatch(types.ApplyPatchType, data),
		client.FieldOwner(env.fieldManager()), client.ForceOwnership); err != nil {
		return zero, err
	}
	return out, nil
}

// needsMigration reports whether live was written by okt (it has the hash
// annotation) before it applied: an Update entry of one of okt's former
// field managers, and no Apply entry of its field manager yet. The fields
// of such an entry would never be removed by an apply.
func needsMigration(live client.Object, manager string, legacy []string) bool {
	mf := live.GetManagedFields()
	if hasApplyEntry(mf, manager) {
		return false
	}
	if _, ok := live.GetAnnotations()[HashAnnotation]; !ok {
		return false
	}
	for _, e := range mf {
		if e.Operation == metav1.ManagedFieldsOperationUpdate && e.Subresource == "" && isLegacy(e.Manager, manager, legacy) {
			return true
		}
	}
	return false
}

// migrate moves the fields of okt's former Update entries on live to its
// Apply entry (client-go's csaupgrade), with a JSON patch guarded by the
// resourceVersion, and returns the patched object (live itself when there
// was nothing to move). When the object changed in between (a controller
// wrote its status), it is read again and the patch made anew from what is
// there now.
func migrate[O client.Object](ctx context.Context, env Env, live O) (O, error) {
	obj := live.DeepCopyObject().(O)
	for attempt := 0; ; attempt++ {
		patch, err := csaupgrade.UpgradeManagedFieldsPatch(obj, env.legacyManagers(), env.fieldManager())
		if err != nil || patch == nil {
			return obj, err
		}
		err = env.Client.Patch(ctx, obj, client.RawPatch(types.JSONPatchType, patch))
		if err == nil {
			return obj, nil
		}
		if !apierrors.IsConflict(err) || attempt == 2 {
			return live, fmt.Errorf("cannot move the fields of okt's former field managers to %q: %w", env.fieldManager(), err)
		}
		if err := env.Client.Get(ctx, client.ObjectKeyFromObject(live), obj); err != nil {
			return live, err
		}
	}
}

// ImmutableError reports a desired change that the API server refuses
// because the field cannot change once set.
type ImmutableError struct {
	// Resource names the object.
	Resource Key
	// Field names the field, as the API server does (".spec.selector"), or as
	// okt found it differs when the API server names only a parent.
	Field string
	// Err is the API server's answer.
	Err error
}

func (e *ImmutableError) Error() string {
	return fmt.Sprintf("cannot update %s: field %s is immutable (the API server says: %v); "+
		"change it back in the custom resource, delete the object, or build it with resources.RecreateOnImmutableChange()",
		e.Resource, e.Field, e.Err)
}

func (e *ImmutableError) Unwrap() error { return e.Err }

var immutableRE = regexp.MustCompile(`(?i)immutable|may not change once set|Forbidden: updates to .* are forbidden|cannot be changed`)

// immutableField returns the field an Invalid answer of the API server names
// as immutable, and whether it is such an answer.
func immutableField(err error) (string, bool) {
	var st apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &st) {
		return "", false
	}
	s := st.Status()
	if s.Details != nil {
		for _, c := range s.Details.Causes {
			if immutableRE.MatchString(c.Message) {
				return "." + c.Field, true
			}
		}
	}
	if immutableRE.MatchString(s.Message) {
		return "", true
	}
	return "", false
}
