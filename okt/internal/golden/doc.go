// Package golden compares test output with golden files in a package's
// testdata folder; `go test -update` rewrites them.
package golden
