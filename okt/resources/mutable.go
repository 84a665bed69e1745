package resources

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// Mutable is a MutableResource over any client.Object: like Object, and kept
// up to date by change detection (see the package documentation).
type Mutable[O client.Object] struct {
	Object[O]

	hash  string // hash of the apply body, from Prepare
	drift *Drift // the drift change found, if any

	// the last change found, for the live object and hash it was found for
	last     change
	lastOK   bool
	lastLive client.Object
	lastHash string
}

// Prepare computes the desired object, as Object.Prepare does, and from it
// the apply body and its hash, which it stores in the desired object's
// HashAnnotation. A desired object identical to the last one prepared for
// the same key (same fingerprint) reuses its hash; its body is then computed
// only if a write needs it.
func (m *Mutable[O]) Prepare(ctx context.Context, env Env) error {
	if err := m.Object.Prepare(ctx, env); err != nil {
		return err
	}
	fp, fpOK := fingerprint(m.desired)
	if len(m.opts.leave) > 0 { // the fields left out change the body
		fp = sha256.Sum256(append(fp[:], strings.Join(m.opts.leave, "\x00")...))
	}
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

// computeIntent computes the apply body of the desired object and its hash
// (of everything but the hash annotation), and puts the hash in the body.
func (m *Mutable[O]) computeIntent() error {
	if err := m.computeBody(); err != nil {
		return err
	}
	md, _ := m.body["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	delete(ann, HashAnnotation)
	if len(ann) == 0 {
		delete(md, "annotations")
	}
	var err error
	m.hash, err = hashOf(m.body)
	if err != nil {
		return fmt.Errorf("cannot hash %s: %w", m.key, err)
	}
	if ann == nil {
		ann = map[string]any{}
	}
	ann[HashAnnotation] = m.hash
	md["annotations"] = ann
	return nil
}

// ensureIntent computes the apply body if Prepare reused a hash.
func (m *Mutable[O]) ensureIntent() error {
	if m.body != nil {
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
	// CauseDrift: a field the operator declares, or the owner reference, was
	// changed on the live object.
	CauseDrift Cause = "drift"
	// CauseMigrate: okt wrote the object before it applied; its fields move to
	// okt's field manager (see Env.LegacyFieldManagers).
	CauseMigrate Cause = "migrate"
)

// CauseReporter is a MutableResource that tells why NeedsUpdate wants a
// write: the cause, and for drift the path of the field that drifted (empty
// for a missing owner reference). Mutable implements it.
type CauseReporter interface {
	UpdateCause() (cause Cause, path string)
}

// DriftReporter is a MutableResource that tells, when NeedsUpdate wants a
// write for drift, which field drifted and which field manager owns it now.
// Mutable implements it.
type DriftReporter interface {
	// DriftOf returns the drift NeedsUpdate found, nil if none.
	DriftOf() *Drift
}

// NeedsUpdate reports whether the live object must be written, and why:
// the desired state changed since the last write (its hash differs from the
// one stored on the live object), a field the operator declares was edited
// on the live object, the owner reference is missing, or okt wrote the
// object before it applied. It reports false before Prepare and when the
// object does not exist.
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

// DriftOf returns the drift NeedsUpdate found: the field, how it differs, and
// the field manager that owns it now. Nil when it found none.
func (m *Mutable[O]) DriftOf() *Drift {
	if c := m.change(); c.cause != CauseDrift {
		return nil
	}
	return m.drift
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
	if m.lastOK && m.lastLive == client.Object(m.live) && m.lastHash == m.hash {
		return m.last
	}
	c := m.findChange()
	m.last, m.lastOK, m.lastLive, m.lastHash = c, true, m.live, m.hash
	return c
}

func (m *Mutable[O]) findChange() change {
	m.drift = nil
	got := m.live.GetAnnotations()[HashAnnotation]
	if got != m.hash {
		if got == "" {
			return change{CauseDesired, "", "the live object has no " + HashAnnotation + " annotation"}
		}
		return change{CauseDesired, "", fmt.Sprintf("desired state changed (hash %s -> %s)", got, m.hash)}
	}
	if needsMigration(m.live, m.manager, m.legacy) {
		return change{CauseMigrate, "", "written by okt before server-side apply: its fields move to field manager " + m.manager}
	}
	if ref, ok := m.ownerRef(); ok && !hasOwner(m.live, ref.UID) {
		m.drift = &Drift{Path: ".metadata.ownerReferences", Detail: "owner reference to " + ref.Name + " missing"}
		m.drift.Manager = newOwnership(m.live.GetManagedFields(), m.manager).managerOf(m.drift)
		return change{CauseDrift, "", "owner reference to " + ref.Name + " missing"}
	}
	uid, rv := m.live.GetUID(), m.live.GetResourceVersion()
	if memo.isVerified(uid, rv, m.hash) || memo.onlyStatusChanged(m.key, m.live, m.hash) {
		checks.fast.Add(1)
		return change{} // this very live object (or its spec and metadata) was checked against this desired state
	}
	checks.full.Add(1)
	if err := m.ensureIntent(); err != nil {
		return change{CauseDrift, "", err.Error()}
	}
	d, err := m.liveDrift(m.live)
	if err != nil {
		return change{CauseDrift, "", err.Error()}
	}
	if d != nil {
		m.drift = d
		return change{CauseDrift, d.Path, "live object drifted: " + d.String()}
	}
	memo.rememberVerified(m.key, m.live, m.hash)
	return change{}
}

// liveDrift compares the apply body with live, guided by live's
// managedFields, and names the field manager of the field that drifted.
func (m *Mutable[O]) liveDrift(live O) (*Drift, error) {
	mf := live.GetManagedFields()
	// The managedFields are read as they are, not converted with the rest:
	// server-side apply makes them the largest part of metadata. live is a
	// typed object (a struct of its own, its metadata a field of it, even
	// when its maps are a cache's) or an unstructured one read with a copy,
	// so that setting its managedFields changes no one else's.
	live.SetManagedFields(nil)
	u, err := toUnstructured(live)
	live.SetManagedFields(mf)
	if err != nil {
		return nil, fmt.Errorf("cannot convert the live object: %w", err)
	}
	own := newOwnership(mf, m.manager)
	c := differ{own: own, mask: m.sensitive()}
	for _, k := range sortedKeys(m.body) {
		if k == "apiVersion" || k == "kind" {
			continue // typed live objects often carry no type meta
		}
		pe := fieldpath.PathElement{FieldName: &k}
		gv, ok := u[k]
		if !ok {
			if isEmpty(m.body[k]) {
				continue
			}
			d := &Drift{Path: "." + k, Detail: "missing on the live object", fp: fieldpath.Path{pe}}
			d.Manager = own.managerOf(d)
			return d, nil
		}
		if d := c.drift(m.body[k], gv, fieldpath.Path{pe}, "."+k); d != nil {
			d.Manager = own.managerOf(d)
			return d, nil
		}
	}
	return nil, nil
}

// changedUnder returns the first field under path (".spec", "" for all)
// whose desired value live does not hold.
func (m *Mutable[O]) changedUnder(live O, path string) *Drift {
	d, _ := m.liveDrift(live)
	if d == nil || (path != "" && path != "." && !strings.HasPrefix(d.Path, path)) {
		return nil
	}
	return d
}

// Blocked returns the error of the last write of this desired state to this
// very live object when the API server refused it as immutable: writing it
// again would be refused again. Nil otherwise.
func (m *Mutable[O]) Blocked() error {
	if !m.prepared || !m.exists {
		return nil
	}
	return memo.immutable(m.live.GetUID(), specVersion(m.live), m.hash)
}

// specVersion identifies the state of an object's spec: its generation,
// which status writes leave as it is (a StatefulSet whose claims okt cannot
// change keeps rolling its status), else its resourceVersion.
func specVersion(obj client.Object) string {
	if g := obj.GetGeneration(); g > 0 {
		return fmt.Sprintf("g%d", g)
	}
	return obj.GetResourceVersion()
}

// Update applies the desired object with a server-side apply of its body
// (see the package documentation), under Env's field manager, forcing its
// ownership of the fields it declares. Fields the operator no longer
// declares are removed, unless another manager owns them; fields and list
// items other writers own are left as they are. An object okt wrote before
// it applied first has its fields moved to the field manager (one JSON
// patch). A change the API server refuses as immutable returns an
// *ImmutableError.
func (m *Mutable[O]) Update(ctx context.Context, env Env) error {
	need, _ := m.NeedsUpdate()
	if !need {
		return nil
	}
	if err := m.Blocked(); err != nil {
		return err
	}
	if err := m.ensureIntent(); err != nil {
		return err
	}
	ctx = m.wireCtx(ctx)
	live := m.live
	if needsMigration(live, env.fieldManager(), env.LegacyFieldManagers) {
		var err error
		if live, err = migrate(ctx, env, live); err != nil {
			return err
		}
		m.keepLive(live, false)
	}
	obj, err := applyBody(ctx, env, m.body, m.newObj())
	if err != nil {
		if field, ok := immutableField(err); ok {
			ie := &ImmutableError{Resource: m.key, Field: field, Err: err}
			if d := m.changedUnder(live, field); d != nil {
				ie.Field = d.Path // more precise than the server's parent field
			}
			if ie.Field == "" {
				ie.Field = "(unnamed)"
			}
			memo.rememberImmutable(live.GetUID(), specVersion(live), m.hash, ie)
			return ie
		}
		return err
	}
	m.keepLive(obj, false)
	m.verifyWritten()
	return nil
}

// Create creates the object with a server-side apply of its body, as
// Object.Create does, and checks the object the API server answered with.
func (m *Mutable[O]) Create(ctx context.Context, env Env) error {
	if err := m.Object.Create(ctx, env); err != nil {
		return err
	}
	m.verifyWritten()
	return nil
}

// verifyWritten compares the object the API server answered a write with
// (m.live) with the apply body, and remembers it as verified when it holds
// every declared field: the watch event of that very resourceVersion, and
// the workload status updates after it, then take the fast path in the
// next reconcile instead of computing the body again and comparing in full.
// A field an admission webhook changed is a drift, found there as before.
func (m *Mutable[O]) verifyWritten() {
	if m.body == nil || m.hash == "" || m.live.GetResourceVersion() == "" {
		return
	}
	checks.full.Add(1)
	if d, err := m.liveDrift(m.live); err == nil && d == nil {
		memo.rememberVerified(m.key, m.live, m.hash)
	}
}

// ownerRef returns the controller owner reference of the desired object.
func (m *Mutable[O]) ownerRef() (ownerRef, bool) {
	for _, r := range m.desired.GetOwnerReferences() {
		if r.Controller != nil && *r.Controller {
			return r, true
		}
	}
	return ownerRef{}, false
}

func hasOwner(obj client.Object, uid any) bool {
	for _, r := range obj.GetOwnerReferences() {
		if r.UID == uid {
			return true
		}
	}
	return false
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
