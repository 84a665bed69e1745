package resources

import (
	"crypto/sha256"
	"encoding/json"
	"hash"
	"hash/maphash"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
)

// memo remembers, for the whole process, what change detection already
// computed, so that a steady reconcile does not compute it again:
//   - for each managed object, a fingerprint of its last desired object (the
//     SHA-256 of its encoding) and the hash of its managed fields: an unchanged
//     desired object is not converted, walked and hashed again;
//   - for each live object found without drift, its UID, resourceVersion and
//     the desired hash it was checked against: the same live object (any
//     edit changes its resourceVersion) against the same desired state is
//     not converted and compared again.
//
// Both are exact: a changed desired object has another fingerprint, an
// edited live object another resourceVersion, and either goes the full way.
var memo = &memory{}

// maxMemo bounds each table: past it, the table starts afresh (entries of
// deleted objects are never removed one by one).
const maxMemo = 200000

type memory struct {
	mu sync.Mutex
	// desired is keyed by a 64-bit digest of the Key (keySum), not the Key:
	// 8 bytes an entry instead of four strings, and no name kept from the
	// desired object of the last reconcile. Keys of the same digest would
	// only share an entry: the fingerprint, which covers the object's name,
	// namespace and type, decides whether the entry answers, so sharing
	// costs a computation, never a wrong hash.
	desired  map[uint64]desiredMemo
	verified map[types.UID]verifiedMemo
	refused  map[types.UID]immutableMemo
}

// immutableMemo is a write the API server refused as immutable: the same
// desired state on the same live object would be refused again.
type immutableMemo struct {
	resourceVersion, hash string
	err                   error
}

type desiredMemo struct {
	fingerprint [sha256.Size]byte
	hash        string
}

type verifiedMemo struct {
	resourceVersion, hash string
	// The live object's generation and a digest of its metadata when it was
	// verified: a later resourceVersion of a kind whose generation counts
	// its spec's changes (generationCountsSpec), with the same generation and
	// metadata, changed only its status.
	generation int64
	meta       uint64
}

// generationCountsSpec reports whether the API server raises the
// generation of objects of this kind at every change of anything but their
// metadata and status: the workloads (their status changes often while they
// roll out), and custom resources (of a group client-go's scheme does not
// know: the API server raises their generation at every change but of
// metadata and, with a status subresource, status). Other kinds are checked
// at every resourceVersion. A custom resource whose types were added to
// client-go's scheme is taken as built in: checked at every resourceVersion.
func generationCountsSpec(k Key) bool {
	switch k.Group + "/" + k.Kind {
	case "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job", "batch/CronJob":
		return true
	}
	return k.Group != "" && !builtinGroups()[k.Group]
}

// builtinGroups returns the API groups of client-go's scheme: the
// Kubernetes API's own.
var builtinGroups = sync.OnceValue(func() map[string]bool {
	groups := map[string]bool{}
	for gvk := range clientgoscheme.Scheme.AllKnownTypes() {
		groups[gvk.Group] = true
	}
	return groups
})

// fingerprint returns the SHA-256 of obj's encoding, and false if it cannot
// be encoded. Kubernetes API types are encoded in protobuf, several times
// faster than JSON and as exact: the generated Marshal writes every field
// that is set, map keys sorted, and a nil pointer apart from a pointer to a
// zero. The Go type and the group, version and kind (TypeMeta is not in
// the protobuf encoding) go in first. Other types are encoded in JSON.
func fingerprint(obj any) ([sha256.Size]byte, bool) {
	if pb, ok := obj.(protoMarshaler); ok {
		st := fingerprintPool.Get().(*fingerprintState)
		defer fingerprintPool.Put(st)
		data, err := st.marshal(pb)
		if err == nil {
			// The Go type and the GroupVersionKind (not in the encoding),
			// then the encoding.
			hdr := append(st.hdr[:0], reflect.TypeOf(obj).String()...)
			hdr = append(hdr, 0)
			if o, isObj := obj.(interface {
				GetObjectKind() schema.ObjectKind
			}); isObj {
				gvk := o.GetObjectKind().GroupVersionKind()
				hdr = append(append(append(append(append(hdr, gvk.Group...), '/'), gvk.Version...), ", Kind="...), gvk.Kind...)
			}
			hdr = append(hdr, 0)
			st.hdr = hdr
			h := st.h
			h.Reset()
			_, _ = h.Write(hdr)
			_, _ = h.Write(data)
			h.Sum(st.sum[:0])
			sum := st.sum
			return sum, true
		}
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return [sha256.Size]byte{}, false
	}
	return sha256.Sum256(data), true
}

// fingerprintState is a hasher and an encoding buffer, reused: a steady
// reconcile fingerprints every desired object.
type fingerprintState struct {
	h   hash.Hash
	buf []byte
	hdr []byte
	sum [sha256.Size]byte
}

var fingerprintPool = sync.Pool{New: func() any { return &fingerprintState{h: sha256.New()} }}

// sizedMarshaler is the protobuf encoding of Kubernetes API types into a
// buffer the caller gives.
type sizedMarshaler interface {
	Size() int
	MarshalToSizedBuffer([]byte) (int, error)
}

// marshal encodes pb into the state's buffer when it can, else allocates.
func (st *fingerprintState) marshal(pb protoMarshaler) ([]byte, error) {
	sm, ok := pb.(sizedMarshaler)
	if !ok {
		return pb.Marshal()
	}
	n := sm.Size()
	if cap(st.buf) < n {
		st.buf = make([]byte, n)
	}
	buf := st.buf[:n]
	m, err := sm.MarshalToSizedBuffer(buf)
	if err != nil {
		return nil, err
	}
	return buf[n-m:], nil
}

// protoMarshaler is implemented by the Kubernetes API types (k8s.io/api).
type protoMarshaler interface {
	Marshal() ([]byte, error)
}

// desiredHash returns the hash remembered for k's desired object of
// fingerprint fp.
func (m *memory) desiredHash(k Key, fp [sha256.Size]byte) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.desired[keySum(k)]
	if !ok || d.fingerprint != fp {
		return "", false
	}
	return d.hash, true
}

func (m *memory) rememberDesired(k Key, fp [sha256.Size]byte, hash string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.desired == nil || len(m.desired) >= maxMemo {
		m.desired = map[uint64]desiredMemo{}
	}
	m.desired[keySum(k)] = desiredMemo{fingerprint: fp, hash: hash}
}

// keySum digests k for the desired table.
func keySum(k Key) uint64 {
	var h maphash.Hash
	h.SetSeed(metaSeed)
	for _, f := range [...]string{k.Group, k.Kind, k.Namespace, k.Name} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// isVerified reports whether the live object uid at resourceVersion rv was
// found without drift against the desired hash.
func (m *memory) isVerified(uid types.UID, rv, hash string) bool {
	if uid == "" || rv == "" {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.verified[uid]
	return ok && v.resourceVersion == rv && v.hash == hash
}

// onlyStatusChanged reports whether live, of a kind whose generation counts
// its spec's changes, is the object verified without drift against hash at
// another resourceVersion with the same generation and metadata: only its
// status changed since, and the verdict holds. It then remembers live's
// resourceVersion as verified.
func (m *memory) onlyStatusChanged(k Key, live metav1.Object, hash string) bool {
	uid, rv, gen := live.GetUID(), live.GetResourceVersion(), live.GetGeneration()
	if uid == "" || rv == "" || gen <= 0 || !generationCountsSpec(k) {
		return false
	}
	sum := metaSum(live)
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.verified[uid]
	if !ok || v.hash != hash || v.generation != gen || v.meta != sum {
		return false
	}
	v.resourceVersion = rv
	m.verified[uid] = v
	return true
}

// metaSeed keys metaSum: its digests are compared within the process only.
var metaSeed = maphash.MakeSeed()

// metaSum digests what okt declares in an object's metadata, and what
// others may change there without a new generation: labels, annotations
// (both in key order), owner references and finalizers.
func metaSum(obj metav1.Object) uint64 {
	var h maphash.Hash
	h.SetSeed(metaSeed)
	sep := func() { h.WriteByte(0) }
	for _, m := range []map[string]string{obj.GetLabels(), obj.GetAnnotations()} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			h.WriteString(k)
			sep()
			h.WriteString(m[k])
			sep()
		}
		h.WriteByte(1)
	}
	for _, o := range obj.GetOwnerReferences() {
		for _, f := range []string{o.APIVersion, o.Kind, o.Name, string(o.UID), strconv.FormatBool(ptr.Deref(o.Controller, false)), strconv.FormatBool(ptr.Deref(o.BlockOwnerDeletion, false))} {
			h.WriteString(f)
			sep()
		}
	}
	h.WriteByte(1)
	for _, f := range obj.GetFinalizers() {
		h.WriteString(f)
		sep()
	}
	return h.Sum64()
}

func (m *memory) rememberVerified(k Key, live metav1.Object, hash string) {
	uid, rv := live.GetUID(), live.GetResourceVersion()
	if uid == "" || rv == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.verified == nil || len(m.verified) >= maxMemo {
		m.verified = map[types.UID]verifiedMemo{}
	}
	v := verifiedMemo{resourceVersion: rv, hash: hash}
	if generationCountsSpec(k) {
		v.generation, v.meta = live.GetGeneration(), metaSum(live)
	}
	m.verified[uid] = v
}

// immutable returns the refusal remembered for this desired state (hash) on
// the live object uid at rv, nil if none.
func (m *memory) immutable(uid types.UID, rv, hash string) error {
	if uid == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.refused[uid]; ok && v.resourceVersion == rv && v.hash == hash {
		return v.err
	}
	return nil
}

func (m *memory) rememberImmutable(uid types.UID, rv, hash string, err error) {
	if uid == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.refused == nil || len(m.refused) >= maxMemo {
		m.refused = map[types.UID]immutableMemo{}
	}
	m.refused[uid] = immutableMemo{resourceVersion: rv, hash: hash, err: err}
}

// checks counts the drift checks of live objects, by path taken.
var checks struct{ fast, full atomic.Int64 }

// DriftChecks returns how many live objects change detection compared in
// full with their desired state, and how many it found unchanged on the fast
// path (the same resourceVersion already checked against the same desired
// state), since the process started. For tests and diagnostics.
func DriftChecks() (full, fast int64) { return checks.full.Load(), checks.fast.Load() }
