package resources

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"sync"
)

// paths is a set of field paths in drift's notation: ".spec.replicas",
// ".spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation".
type paths map[string]struct{}

func (p paths) has(path string) bool {
	_, ok := p[path]
	return ok
}

// hasBytes is has of a path being built (the lookup copies nothing).
func (p paths) hasBytes(path []byte) bool {
	if len(p) == 0 {
		return false
	}
	_, ok := p[string(path)]
	return ok
}

// explicitZeros returns the paths of the scalar zero values (0, "", false) of
// u, the unstructured form of obj, that the operator wrote on purpose, decided
// from the typed object: a zero reached through a non-nil pointer (replicas:
// ptr.To(0), allowPrivilegeEscalation: ptr.To(false)), a map entry, a list
// item, and anything inside an unstructured object or a value with its own
// JSON encoding. A zero that comes only from a non-pointer Go field (an
// IntOrString targetPort of 0, a containerPort left unset) is not explicit:
// the API server may default it. Empty objects and lists are explicit on the
// same terms (emptyDir: {} through a pointer is; a non-pointer resources: {}
// is not).
func explicitZeros(obj any, u map[string]any) paths {
	out := paths{}
	walkExplicit(reflect.ValueOf(obj), u, "", false, out)
	return out
}

var jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

// encodesItself reports whether values of t are encoded by their own
// MarshalJSON (IntOrString, Quantity, Time, RawExtension, Unstructured).
func encodesItself(t reflect.Type) bool { return infoOf(t).encodesItself }

func walkExplicit(v reflect.Value, u any, path string, viaPointer bool, out paths) {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			viaPointer = true
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		markAll(u, path, out)
		return
	}
	if viaPointer && isEmpty(u) {
		out[path] = struct{}{} // emptyDir: {}, securityContext: {}: set on purpose
	}
	if encodesItself(v.Type()) {
		if isScalar(u) {
			if viaPointer && isZero(u) {
				out[path] = struct{}{}
			}
			return
		}
		markAll(u, path, out)
		return
	}
	switch uu := u.(type) {
	case map[string]any:
		switch v.Kind() {
		case reflect.Struct:
			walkStruct(v, uu, path, out)
		case reflect.Map:
			if v.Type().Key().Kind() != reflect.String {
				markAll(u, path, out)
				return
			}
			for k, x := range uu {
				p := path + "." + k
				if isZero(x) || isEmpty(x) {
					out[p] = struct{}{}
					continue
				}
				walkExplicit(v.MapIndex(reflect.ValueOf(k).Convert(v.Type().Key())), x, p, false, out)
			}
		default:
			markAll(u, path, out)
		}
	case []any:
		if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
			markAll(u, path, out)
			return
		}
		for i, x := range uu {
			p := fmt.Sprintf("%s[%d]", path, i)
			if isZero(x) || i >= v.Len() {
				markAll(x, p, out)
				continue
			}
			walkExplicit(v.Index(i), x, p, false, out)
		}
	default:
		if viaPointer && isZero(u) {
			out[path] = struct{}{}
		}
	}
}

// walkStruct walks the fields of the struct v that u holds, by JSON name;
// inline and embedded structs share u.
func walkStruct(v reflect.Value, u map[string]any, path string, out paths) {
	for _, f := range infoOf(v.Type()).fields {
		fv := v.Field(f.index)
		if f.inline {
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				walkStruct(fv, u, path, out)
			}
			continue
		}
		if x, ok := u[f.name]; ok {
			walkExplicit(fv, x, path+"."+f.name, false, out)
		}
	}
}

// field is an exported struct field as JSON sees it: its index, its name,
// whether its fields are inlined in its parent's.
type field struct {
	index  int
	name   string
	inline bool
}

// typeInfo is what the walk needs of a type, computed once per type: a
// Deployment's desired object visits hundreds of values of a few dozen
// types, and reading struct tags and method sets each time cost a fifth of
// computing its apply body.
type typeInfo struct {
	fields        []field // of a struct, in order; "-" left out
	encodesItself bool
}

var typeInfos sync.Map // reflect.Type -> *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{encodesItself: t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler)}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, inline := jsonField(f)
			if name == "-" {
				continue
			}
			ti.fields = append(ti.fields, field{i, name, inline})
		}
	}
	typeInfos.Store(t, ti)
	return ti
}

// jsonField returns the JSON name of a struct field and whether its fields
// are inlined in its parent's.
func jsonField(f reflect.StructField) (name string, inline bool) {
	tag := f.Tag.Get("json")
	parts := strings.Split(tag, ",")
	name = parts[0]
	for _, o := range parts[1:] {
		if o == "inline" {
			return "", true
		}
	}
	if name == "" {
		if f.Anonymous {
			return "", true
		}
		name = f.Name
	}
	return name, false
}

// markAll marks every zero scalar in u as explicit: u is content the operator
// wrote as it is.
func markAll(u any, path string, out paths) {
	switch t := u.(type) {
	case map[string]any:
		for k, x := range t {
			markAll(x, path+"."+k, out)
		}
	case []any:
		for i, x := range t {
			markAll(x, fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if isZero(u) {
			out[path] = struct{}{}
		}
	}
	if isEmpty(u) {
		out[path] = struct{}{}
	}
}

// isEmpty reports whether u is an empty object or list.
func isEmpty(u any) bool {
	switch t := u.(type) {
	case map[string]any:
		return len(t) == 0
	case []any:
		return len(t) == 0
	}
	return false
}

func isScalar(u any) bool {
	switch u.(type) {
	case map[string]any, []any:
		return false
	}
	return true
}
