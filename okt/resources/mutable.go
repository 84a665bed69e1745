package resources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Mutable is a MutableResource over any client.Object: like Object, and kept
// up to date by change detection (see the package documentation).
type Mutable[O client.Object] struct {
	Object[O]

	intent map[string]any // the managed fields, from Prepare
	hash   string         // hash of intent, from Prepare
	cmp    comparer       // how intent is compared with the live object
}

// Prepare computes the desired object, as Object.Prepare does, and from it
// the managed fields and their hash, which it stores in the desired object's
// HashAnnotation. A desired object identical to the last one prepared for
// the same key (same fingerprint) reuses its hash; its managed fields are
// then computed only if an update needs them.
func (m *Mutable[O]) Prepare(ctx context.Context, env Env) error {
	if err := m.Object.Prepare(ctx, env); err != nil {
		return err
	}
	m.intent = nil
	fp, fpOK := fingerprint(m.desired)
	if h, ok := memo.desiredHash(m.key, fp); fpOK && ok {
		m.hash = h
	} else {
		if err := m.computeIntent(); err != nil {
			return err
		}
		if fpOK {
			memo.rememberDesired(m.key, fp, m.hash)
		}
	}
	ann := m.desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[HashAnnotation] = m.hash
	m.desired.SetAnnotations(ann)
	return nil
}

// computeIntent computes the managed fields of the desired object, how they
// compare, and their hash.
func (m *Mutable[O]) computeIntent() error {
	u, err := toUnstructured(m.desired)
	if err != nil {
		return fmt.Errorf("cannot convert %s: %w", m.key, err)
	}
	m.intent = intentOf(u)
	m.cmp = comparer{explicit: explicitZeros(m.desired, u), mask: m.sensitive()}
	m.hash, err = hashOf(m.intent)
	if err != nil {
		return fmt.Errorf("cannot hash %s: %w", m.key, err)
	}
	return nil
}

// ensureIntent computes the managed fields if Prepare reused a hash.
func (m *Mutable[O]) ensureIntent() error {
	if m.intent != nil {
		return nil
	}
	// The hash comes out the same (the fingerprint matched), and the desired
	// object's annotation already holds it.
	hash := m.hash
	err := m.computeIntent()
	m.hash = hash
	return err
}

// Hash returns the hash of the desired state, after Prepare.
func (m *Mutable[O]) Hash() string { return m.hash }

// Cause says why an object is written.
type Cause string

// Causes of an update.
const (
	// CauseDesired: the desired state changed since the last write (or the
	// object was never written by okt).
	CauseDesired Cause = "update"
	// CauseDrift: a managed field, or the owner reference, was changed on the
	// live object.
	CauseDrift Cause = "drift"
)

// CauseReporter is a MutableResource that tells why NeedsUpdate wants a
// write: the cause, and for drift the path of the field that drifted (empty
// for a missing owner reference). Mutable implements it.
type CauseReporter interface {
	UpdateCause() (cause Cause, path string)
}

// NeedsUpdate reports whether the live object must be written, and why:
// the desired state changed since the last write (its hash differs from the
// one stored on the live object), a managed field was edited on the live
// object, or the owner reference is missing. It reports false before Prepare
// and when the object does not exist.
func (m *Mutable[O]) NeedsUpdate() (bool, string) {
	c := m.change()
	return c.cause != "", c.reason
}

// UpdateCause returns the cause of the update NeedsUpdate wants, "" when it
// wants none.
func (m *Mutable[O]) UpdateCause() (Cause, string) {
	c := m.change()
	return c.cause, c.path
}

type change struct {
	cause  Cause
	path   string
	reason string
}

func (m *Mutable[O]) change() change {
	if !m.prepared || !m.exists {
		return change{}
	}
	got := m.live.GetAnnotations()[HashAnnotation]
	if got != m.hash {
		if got == "" {
			return change{CauseDesired, "", "the live object has no " + HashAnnotation + " annotation"}
		}
		return change{CauseDesired, "", fmt.Sprintf("desired state changed (hash %s -> %s)", got, m.hash)}
	}
	if ref := m.ownerRef(); ref != nil && !hasOwner(m.live, ref.UID) {
		return change{CauseDrift, "", "owner reference to " + ref.Name + " missing"}
	}
	uid, rv := m.live.GetUID(), m.live.GetResourceVersion()
	if memo.isVerified(uid, rv, m.hash) {
		checks.fast.Add(1)
		return change{} // this very live object was checked against this desired state
	}
	checks.full.Add(1)
	if err := m.ensureIntent(); err != nil {
		return change{CauseDrift, "", err.Error()}
	}
	live, err := toUnstructured(m.live)
	if err != nil {
		return change{CauseDrift, "", "cannot convert the live object: " + err.Error()}
	}
	if d := m.cmp.drift(m.intent, live, ""); d != "" {
		path, _, _ := strings.Cut(d, ": ")
		return change{CauseDrift, path, "live object drifted: " + d}
	}
	memo.rememberVerified(uid, rv, m.hash)
	return change{}
}

// Update patches the live object with the managed fields that differ, the
// hash annotation and the owner reference. When the desired state changed,
// every managed field is written, zero values included; when only a live edit
// is corrected, zero values in the desired state are left to the server's
// defaults. Fields the operator does not manage keep their live values.
func (m *Mutable[O]) Update(ctx context.Context, env Env) error {
	need, _ := m.NeedsUpdate()
	if !need {
		return nil
	}
	if err := m.ensureIntent(); err != nil {
		return err
	}
	live, err := toUnstructured(m.live)
	if err != nil {
		return err
	}
	merged := runtime.DeepCopyJSON(live)
	intentChanged := m.live.GetAnnotations()[HashAnnotation] != m.hash
	m.cmp.mergeInto(merged, m.intent, "", intentChanged)
	meta, _ := merged["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		merged["metadata"] = meta
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	ann[HashAnnotation] = m.hash
	if ref := m.ownerRef(); ref != nil && !hasOwner(m.live, ref.UID) {
		refU, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ref)
		if err != nil {
			return err
		}
		refs, _ := meta["ownerReferences"].([]any)
		meta["ownerReferences"] = append(refs, refU)
	}
	obj := newObject[O]()
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(merged, obj); err != nil {
		return fmt.Errorf("cannot convert the merged object: %w", err)
	}
	if err := env.Client.Patch(m.wireCtx(ctx), obj, client.MergeFrom(m.live)); err != nil {
		return err
	}
	m.live = obj
	return nil
}

// ownerRef returns the controller owner reference of the desired object.
func (m *Mutable[O]) ownerRef() *ownerRef {
	for _, r := range m.desired.GetOwnerReferences() {
		if r.Controller != nil && *r.Controller {
			r := r
			return &r
		}
	}
	return nil
}

func hasOwner(obj client.Object, uid any) bool {
	for _, r := range obj.GetOwnerReferences() {
		if r.UID == uid {
			return true
		}
	}
	return false
}

// intentOf returns the fields of a desired object that the operator manages:
// labels, annotations (but the hash), and everything outside metadata and
// status but apiVersion and kind; with nulls and empty maps and lists removed.
func intentOf(u map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range u {
		switch k {
		case "apiVersion", "kind", "status":
			continue
		case "metadata":
			md, _ := v.(map[string]any)
			m := map[string]any{}
			if l, ok := md["labels"]; ok {
				m["labels"] = l
			}
			if a, ok := md["annotations"].(map[string]any); ok {
				a = runtime.DeepCopyJSONValue(a).(map[string]any)
				delete(a, HashAnnotation)
				m["annotations"] = a
			}
			out["metadata"] = m
			continue
		}
		out[k] = v
	}
	p, _ := prune(out).(map[string]any)
	if p == nil {
		p = map[string]any{}
	}
	return p
}

// prune removes nulls, empty maps and empty lists, recursively. It returns
// nil when v itself is empty.
func prune(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if p := prune(x); p != nil {
				out[k] = p
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(t) == 0 {
			return nil
		}
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = prune(x)
			if out[i] == nil {
				out[i] = map[string]any{}
			}
		}
		return out
	}
	return v
}

// hashOf returns a 128-bit SHA-256 prefix of the canonical JSON of v (map
// keys sorted), in hex.
func hashOf(v map[string]any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16]), nil
}

// isZero reports whether v is a scalar zero value: 0, "" or false.
func isZero(v any) bool {
	switch t := v.(type) {
	case string:
		return t == ""
	case bool:
		return !t
	case int64:
		return t == 0
	case float64:
		return t == 0
	case int:
		return t == 0
	case int32:
		return t == 0
	}
	return false
}

// comparer compares the managed fields of a desired object with a live one
// and merges them into it.
type comparer struct {
	// explicit holds the zero values the operator wrote on purpose: they are
	// compared and written like any other value. Other zeros may be the
	// server's defaults and are skipped.
	explicit paths
	// mask hides values in messages (Secrets): only field paths are shown.
	mask bool
}

// skip reports whether the desired value v at path is left to the server.
func (c comparer) skip(v any, path string) bool { return isZero(v) && !c.explicit.has(path) }

// show renders a value for a message, or a mask.
func (c comparer) show(v any) string {
	if c.mask && v != nil {
		return Masked
	}
	return short(v)
}

// drift returns the path and values of the first managed field whose live
// value differs from the desired one, or "". Zero scalars of the desired
// state that are not explicit are not compared: the server may default them.
// Lists must have the same length; their elements are compared in order.
func (c comparer) drift(want, got any, path string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, live has %s", orRoot(path), c.show(got))
		}
		for _, k := range sortedKeys(w) {
			wv, p := w[k], path+"."+k
			if c.skip(wv, p) {
				continue
			}
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s: missing on the live object", p)
			}
			if d := c.drift(wv, gv, p); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			live := c.show(got)
			if g, isList := got.([]any); isList && c.mask {
				live = fmt.Sprintf("%d item(s)", len(g))
			}
			return fmt.Sprintf("%s: want %d item(s), live has %s", orRoot(path), len(w), live)
		}
		for i := range w {
			p := fmt.Sprintf("%s[%d]", path, i)
			if c.skip(w[i], p) {
				continue
			}
			if d := c.drift(w[i], g[i], p); d != "" {
				return d
			}
		}
		return ""
	}
	if !scalarEqual(want, got) {
		if c.mask {
			return fmt.Sprintf("%s: the live value differs (%s)", orRoot(path), Masked)
		}
		return fmt.Sprintf("%s: want %s, live has %s", orRoot(path), short(want), short(got))
	}
	return ""
}

func scalarEqual(a, b any) bool {
	if a == b {
		return true
	}
	fa, aok := number(a)
	fb, bok := number(b)
	return aok && bok && fa == fb
}

func number(v any) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	case int:
		return float64(t), true
	case int32:
		return float64(t), true
	}
	return 0, false
}

// mergeInto writes the managed fields of src into dst (src being at path).
// Maps merge key by key; lists of the same length merge item by item, so that
// fields the server set inside items survive; other lists are replaced. Zero
// scalars of src that are not explicit are written only when zeros is true or
// dst lacks the field.
func (c comparer) mergeInto(dst, src map[string]any, path string, zeros bool) {
	for k, sv := range src {
		p := path + "." + k
		dv, exists := dst[k]
		if exists && !zeros && c.skip(sv, p) {
			continue
		}
		dst[k] = c.mergeValue(dv, sv, p, zeros)
	}
}

func (c comparer) mergeValue(dv, sv any, path string, zeros bool) any {
	switch s := sv.(type) {
	case map[string]any:
		if d, ok := dv.(map[string]any); ok {
			c.mergeInto(d, s, path, zeros)
			return d
		}
	case []any:
		if d, ok := dv.([]any); ok && len(d) == len(s) {
			for i := range s {
				p := fmt.Sprintf("%s[%d]", path, i)
				if !zeros && c.skip(s[i], p) {
					continue
				}
				d[i] = c.mergeValue(d[i], s[i], p, zeros)
			}
			return d
		}
	}
	return runtime.DeepCopyJSONValue(sv)
}
