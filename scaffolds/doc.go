// Package scaffolds holds what the okt plugin writes, and the code that
// writes it, independent of how the plugin is run (in a CLI or as an external
// plugin).
//
// Every scaffolder works on an afero.Fs rooted at the project (the disk, or
// an in-memory filesystem in tests and in the external plugin) and is all or
// nothing: files are staged in memory and written only when everything
// succeeded (see API.Scaffold, Init.Scaffold, Resource.Scaffold), and only
// those whose content changes. Running a scaffolder twice changes nothing
// the second time.
//
// Templates use kubebuilder's machinery: Controller and ControllerTest
// (create api), E2ELocalSuite, E2ELocalTest and the E2ELocalKind inserter
// (create api: the local end-to-end test in test/e2e-local, which
// AddMakefileTarget wires into the Makefile as test-e2e-local), ResourceFile
// and the Wiring inserter (create resource: the kind resolved by
// Kinds.Resolve, possibly unstructured, cluster-scoped or ordered after
// other resources).
// Insertion points in a controller are the markers
// "// +okt:scaffold:imports", "// +okt:scaffold:resources",
// "// +okt:scaffold:owns" and "// +okt:scaffold:rbac", and in the local
// end-to-end test "// +okt:scaffold:e2e-local-kinds"; a fragment already in
// the file is not inserted again.
package scaffolds
