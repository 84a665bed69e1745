package resources

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// normalize rewrites fields that the API server never returns as written, so
// that the desired object can be compared with the live one: a Secret's
// write-only StringData is folded into Data.
func normalize(obj client.Object) {
	if s, ok := obj.(*corev1.Secret); ok {
		SecretFoldStringData(s)
	}
}

// SecretFoldStringData moves the entries of s.StringData into s.Data, as the
// API server does on write. StringData wins over Data for a key in both.
func SecretFoldStringData(s *corev1.Secret) {
	if len(s.StringData) == 0 {
		s.StringData = nil
		return
	}
	if s.Data == nil {
		s.Data = make(map[string][]byte, len(s.StringData))
	}
	for k, v := range s.StringData {
		s.Data[k] = []byte(v)
	}
	s.StringData = nil
}
