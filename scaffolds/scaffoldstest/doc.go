// Package scaffoldstest builds kubebuilder go/v4 projects on an in-memory
// filesystem, for the tests of okt's scaffolders and plugin.
package scaffoldstest
