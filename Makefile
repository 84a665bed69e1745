# OKT: the okt library, the kubebuilder plugin okt.orange.com/v1 and the okt CLI.
SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec

GO ?= go
BIN := $(CURDIR)/bin
# The test control plane (kube-apiserver + etcd), built once into a cache
# outside the repository by hack/controlplane.sh.
ASSETS = $(shell hack/controlplane.sh)
# The local cluster's binaries (package okt/cluster, okt cluster): the control
# plane's, kube-controller-manager, kube-scheduler and kwok, in one folder
# built once by hack/cluster.sh.
CLUSTER_ASSETS = $(shell hack/cluster.sh)

.DEFAULT_GOAL := help

##@ General

.PHONY: help
help: ## Show the targets.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Main job

.PHONY: demo
demo: build cluster-assets-built ## Scaffold a Memcached operator with okt, run it on a local cluster: its sample Ready, its Deployment's Pods Running, a size change rolled out.
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) run ./hack/demo -okt $(BIN)/okt -library $(CURDIR)

##@ Development

.PHONY: build
build: ## Build the okt CLI into bin/okt; its okt init defaults --okt-path to this checkout.
	$(GO) build ./...
	$(GO) build -ldflags "-X 'github.com/okt-dev/okt/plugin.DefaultPath=$(CURDIR)'" -o $(BIN)/okt ./cmd/okt

.PHONY: operator-sdk
operator-sdk: ## Build operator-sdk v1.42.3 with okt compiled in into bin/operator-sdk (from the Go module proxy; cached, seconds the second time).
	@hack/operator-sdk.sh >/dev/null

.PHONY: envtest-assets
envtest-assets: ## Print the folder of the test control plane (for KUBEBUILDER_ASSETS), building it the first time.
	@hack/controlplane.sh

.PHONY: envtest-assets-built
envtest-assets-built:
	@hack/controlplane.sh >/dev/null

.PHONY: cluster-assets
cluster-assets: ## Print the folder of the local cluster's binaries (control plane, kube-controller-manager, kube-scheduler, kwok), building them the first time.
	@hack/cluster.sh

.PHONY: cluster-assets-built
cluster-assets-built:
	@hack/cluster.sh >/dev/null

.PHONY: cluster
cluster: build cluster-assets-built ## Run a local cluster that runs workloads (okt cluster) until Ctrl-C, its kubeconfig in bin/kubeconfig.
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(BIN)/okt cluster --kubeconfig $(BIN)/kubeconfig

.PHONY: verify
verify: ## gofmt, go vet, and go mod tidy must change nothing; every dependency on one Kubernetes release (hack/verify-versions.sh).
	@test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '^testdata/'))" || { gofmt -l $$(git ls-files '*.go' | grep -v '^testdata/'); echo "run gofmt -w"; exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy -diff
	cd hack/benchcompare && $(GO) vet ./... && $(GO) mod tidy -diff
	hack/verify-versions.sh

.PHONY: test
test: verify test-unit bench test-bench-compare verify-testdata test-testdata test-docs test-e2e test-e2e-foreign test-e2e-operator-sdk demo ## Run every test: library and plugin (-race), benchmark, golden testdata, its own tests, the README's quick start, end-to-end, demo.

.PHONY: test-unit
test-unit: cluster-assets-built ## Library and plugin tests, with -race, on the real control plane and the local cluster.
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) test -race -count=1 ./...

STRESS_ROUNDS ?= 5
.PHONY: test-stress
test-stress: cluster-assets-built ## Not in make test: the local cluster's tests STRESS_ROUNDS (5) times with every CPU kept busy; reports the failures of each test.
	hack/test-stress.sh $(STRESS_ROUNDS)

.PHONY: bench
bench: cluster-assets-built ## Steady-state reconcile benchmark (ns/op, allocs/op, API requests per reconcile), on the local cluster.
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) test -run '^$$' -bench '^BenchmarkSteadyReconcile$$' -benchtime 200x -count=1 ./okt/
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) test -run '^$$' -bench '^BenchmarkCachedSteadyReconcile$$' -benchtime 5000x -count=1 ./okt/
	@out=$$(mktemp); if OKT_BENCH=1 KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) test -run '^TestCompareSteadyReconcile$$' -count=1 -v ./okt/ >$$out 2>&1; \
	then grep -E '^\s+\|' $$out; rm -f $$out; else grep -v '"level"' $$out | tail -40; rm -f $$out; echo "TestCompareSteadyReconcile failed (above)"; exit 1; fi

# The scale comparison (docs/performance.md). The full runs take long: run
# them on an idle machine; BENCH_FLAGS adds flags of hack/benchcompare (say
# -keep-logs /tmp/bench-logs, or -controllers okt,floor).
BENCH_N ?= 1000
BENCH_REPEAT ?= 3
BENCH_FLAGS ?=
.PHONY: bench-compare
bench-compare: build cluster-assets-built ## Scale comparison: BENCH_N (1000) custom resources reconciled by okt's scaffolded controller, a kubebuilder-book one, a typed server-side-apply one (8 workers each), the floor (no controller) and the floor making okt's requests (floor-apply), BENCH_REPEAT (3) alternating runs, each on a fresh local cluster, each controller then restarted against the Ready ones; writes docs/bench-compare.{md,svg,png,csv} and docs/bench-compare-runs.csv.
	hack/bench-compare.sh $(BIN)/okt -n $(BENCH_N) -repeat $(BENCH_REPEAT) -restart -check -out $(CURDIR)/docs $(BENCH_FLAGS)

BENCH_SCALE ?= 100,300,1000,3000
BENCH_SCALE_REPEAT ?= 1
.PHONY: bench-scale
bench-scale: build cluster-assets-built ## Scaling curve: the same five at each N of BENCH_SCALE (100,300,1000,3000), BENCH_SCALE_REPEAT (1) runs each, with the restart; writes docs/bench-scale.{md,csv,svg,png}: a table per N, log-log chart and growth exponents.
	hack/bench-compare.sh $(BIN)/okt -scale $(BENCH_SCALE) -repeat $(BENCH_SCALE_REPEAT) -restart -check -out $(CURDIR)/docs $(BENCH_FLAGS)

.PHONY: test-bench-compare
test-bench-compare: build cluster-assets-built ## The harness's unit tests, then the scale comparison with 20 custom resources, a 5 s window after Ready and the restart, both floors included; fails unless okt sends the minimum writes, none after Ready and none after its restart.
	cd hack/benchcompare && $(GO) test -count=1 ./...
	hack/bench-compare.sh $(BIN)/okt -n 20 -after 5s -restart -check

.PHONY: generate-testdata
generate-testdata: build ## Regenerate testdata/project-v3 with the okt CLI.
	hack/generate-testdata.sh $(BIN)/okt testdata/project-v3

.PHONY: verify-testdata
verify-testdata: build ## Fail when regenerating testdata/project-v3 changes it.
	hack/verify-testdata.sh $(BIN)/okt testdata/project-v3

.PHONY: test-testdata
test-testdata: envtest-assets-built ## Run testdata/project-v3's own make test and make test-e2e-local, then its e2e-local test killed with SIGKILL: nothing may be left behind.
	hack/test-project.sh testdata/project-v3
	hack/e2e-local-killed.sh testdata/project-v3

.PHONY: test-docs
test-docs: cluster-assets-built ## The README's quick start as written, from a new HOME and an empty folder, offline (GOPROXY=off): its make test and make test-e2e-local pass, the checkout is left unchanged. (make test-unit runs the docs' other blocks.)
	OKT_DOCTEST_QUICKSTART=1 $(GO) test -count=1 -run TestQuickstart -v ./hack/doctest

.PHONY: test-e2e
test-e2e: build envtest-assets-built ## Scaffold projects with okt, with stock kubebuilder (go.mod's, v4.16.0) + the external plugin, and with kubebuilder v4.6.0 + the plugin; check their versions, build and test each.
	hack/e2e.sh $(BIN)/okt

.PHONY: test-e2e-foreign
test-e2e-foreign: build cluster-assets-built ## A scaffolded operator owning a ServiceMonitor (no Go type: create resource --from) on the local cluster: created, 0 steady writes, drift set back, Ready from its conditions, a removed field removed.
	KUBEBUILDER_ASSETS="$(CLUSTER_ASSETS)" $(GO) run ./hack/foreign -okt $(BIN)/okt -library $(CURDIR)

.PHONY: test-e2e-operator-sdk
test-e2e-operator-sdk: build envtest-assets-built ## operator-sdk with okt (make operator-sdk): init with --plugins okt.orange.com/v1 and go/v4,okt.orange.com/v1, create api, create resource, make bundle, make test (and make test-e2e-local once), on okt's versions; stock operator-sdk on the result.
	hack/e2e-operator-sdk.sh $(BIN)/okt
