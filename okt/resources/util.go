package resources

import (
	"encoding/json"
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

type ownerRef = metav1.OwnerReference

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func orRoot(path string) string {
	if path == "" {
		return "."
	}
	return path
}

// short renders a value for a log message, cut at 80 bytes.
func short(v any) string {
	if v == nil {
		return "nothing"
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	if len(data) > 80 {
		return string(data[:77]) + "..."
	}
	return string(data)
}
