package resources

import "fmt"

// DuplicateError is returned when a resource is registered twice.
type DuplicateError struct{ Key Key }

func (e *DuplicateError) Error() string {
	return fmt.Sprintf("resource %s is already registered: give each resource its own name", e.Key)
}

// Registry is the ordered list of the resources one reconcile manages. It
// rejects a second resource with the same key. The zero value is ready to use.
// It is not safe for concurrent use.
type Registry struct {
	items []Resource
	keys  map[Key]struct{}
	order *order // computed on need, reset by Add
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{} }

// Add appends res. It returns a *DuplicateError, and adds nothing, when a
// resource with the same key is already registered.
func (r *Registry) Add(res Resource) error {
	k := res.Key()
	if r.keys != nil {
		if _, dup := r.keys[k]; dup {
			return &DuplicateError{Key: k}
		}
		r.keys[k] = struct{}{}
	} else {
		// A few resources: a scan, no map.
		for _, x := range r.items {
			if x.Key() == k {
				return &DuplicateError{Key: k}
			}
		}
		if len(r.items) >= smallRegistry {
			r.keys = make(map[Key]struct{}, 2*smallRegistry)
			for _, x := range r.items {
				r.keys[x.Key()] = struct{}{}
			}
			r.keys[k] = struct{}{}
		}
	}
	if r.items == nil {
		r.items = make([]Resource, 0, smallRegistry)
	}
	r.items = append(r.items, res)
	r.order = nil
	return nil
}

// smallRegistry is the size up to which Add finds duplicates by a scan.
const smallRegistry = 8

// Get returns the resource registered under k.
func (r *Registry) Get(k Key) (Resource, bool) {
	for _, res := range r.items {
		if res.Key() == k {
			return res, true
		}
	}
	return nil, false
}

// All returns the registered resources in registration order.
func (r *Registry) All() []Resource { return append([]Resource(nil), r.items...) }

// Items returns the registered resources in registration order, without
// copying them: the caller must not change the slice.
func (r *Registry) Items() []Resource { return r.items }

// Len returns the number of registered resources.
func (r *Registry) Len() int { return len(r.items) }
