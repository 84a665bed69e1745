#!/usr/bin/env bash
# End to end, as a user would, from empty folders:
#   hack/e2e.sh <okt binary>
# 1. the okt CLI scaffolds a Memcached operator with resources; its go.mod
#    is on okt's controller-runtime and k8s.io versions; it builds and
#    passes its own make test and make test-e2e-local (hack/test-project.sh);
# 2. the stock kubebuilder CLI of okt's go.mod (v4.16.0) with okt installed
#    as an external plugin scaffolds the same operator: the same controller,
#    tests and Makefile target, the same versions, and it passes its own
#    make test and make test-e2e-local;
# 3. each older stock kubebuilder of OKT_OLD_KUBEBUILDER (default v4.6.0,
#    the kubebuilder of operator-sdk v1.42.3) with the external plugin:
#    init, create api, create resource; its own go/v4 scaffold (older
#    controller-runtime) is moved to okt's versions by the okt library; it
#    builds and passes make test and make test-e2e-local with its own
#    Makefile's tools;
# 4. stock kubebuilder (okt's version) without the okt plugin still works on
#    the okt project (a second create api, make manifests); make
#    test-e2e-local skips the sample of its kind (a go/v4 controller) and
#    passes.
# Stock kubebuilder CLIs are built once into the cache with go install.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
okt=$(realpath "$1")
old_versions=${OKT_OLD_KUBEBUILDER-v4.6.0}
begin=$SECONDS

# stock_kubebuilder <version>: the path of the stock kubebuilder CLI of that
# version, built the first time.
stock_kubebuilder() {
  local dir="$cache/kubebuilder-$1"
  if [ ! -x "$dir/kubebuilder" ]; then
    echo "e2e: building the stock kubebuilder $1 CLI into $dir" >&2
    GOBIN="$dir" GOFLAGS=-mod=mod go install "sigs.k8s.io/kubebuilder/v4@$1" >&2
  fi
  echo "$dir/kubebuilder"
}
kubebuilder=$(stock_kubebuilder "$kubebuilder_version")
"$kubebuilder" version | grep -q "KubeBuilder: *$kubebuilder_version\b" ||
  { echo "e2e: $kubebuilder is not kubebuilder $kubebuilder_version" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
step() { printf '\n==> e2e: %s\n' "$*"; }

step "okt CLI"
mkdir "$work/with-okt"
cd "$work/with-okt"
"$okt" init --domain example.com --repo example.com/memcached-operator --okt-path "$root"
"$okt" create api --group cache --version v1alpha1 --kind Memcached --resource --controller
# What create api wrote, before resources are wired in: the reference for
# the external plugin below.
api_files="internal/controller/memcached_controller.go internal/controller/memcached_controller_test.go api/v1alpha1/memcached_types.go
  test/e2e-local/e2e_local_suite_test.go test/e2e-local/e2e_local_test.go Makefile"
mkdir "$work/okt-api"
tar -cf - $api_files | tar -xf - -C "$work/okt-api"
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Service --name memcached
check_versions .
go build ./...
"$root/hack/test-project.sh" .

step "stock kubebuilder $kubebuilder_version with the external plugin"
export EXTERNAL_PLUGINS_PATH="$work/plugins"
"$okt" install-plugin --plugins-root "$EXTERNAL_PLUGINS_PATH"
mkdir "$work/with-kubebuilder"
cd "$work/with-kubebuilder"
"$kubebuilder" init --plugins go/v4,okt.orange.com/v1 --domain example.com --repo example.com/memcached-operator --okt-path "$root"
"$kubebuilder" create api --group cache --version v1alpha1 --kind Memcached --resource --controller
for f in $api_files; do
  # The project's name (its folder's) is in the Makefile and the suite.
  diff -u <(sed 's/with-okt/with-kubebuilder/g' "$work/okt-api/$f") "$f" ||
    { echo "e2e: kubebuilder + external plugin wrote a different $f than okt" >&2; exit 1; }
done
echo "e2e: same controller, tests, types and Makefile target as okt"
check_versions .
"$root/hack/test-project.sh" .

for v in $old_versions; do
  step "stock kubebuilder $v (an older go/v4) with the external plugin"
  old=$(stock_kubebuilder "$v")
  mkdir -p "$work/with-kubebuilder-$v/memcached-operator"
  cd "$work/with-kubebuilder-$v/memcached-operator"
  "$old" init --plugins go/v4,okt.orange.com/v1 --domain example.com --repo example.com/memcached-operator --okt-path "$root"
  "$old" create api --group cache --version v1alpha1 --kind Memcached --resource --controller
  grep -q engines.NewStepper internal/controller/memcached_controller.go ||
    { echo "e2e: kubebuilder $v + external plugin did not write okt's controller" >&2; exit 1; }
  "$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached
  echo "go/v4 of kubebuilder $v: $(grep 'CONTROLLER_TOOLS_VERSION ?=' Makefile)"
  check_versions .
  go build ./...
  # Its Makefile's tools (controller-gen, kustomize) are its own versions.
  LOCALBIN=$(tools_dir "$v") "$root/hack/test-project.sh" .
done

step "stock kubebuilder $kubebuilder_version without the okt plugin on the okt project"
export EXTERNAL_PLUGINS_PATH="$work/no-plugins"
mkdir -p "$EXTERNAL_PLUGINS_PATH"
cd "$work/with-okt"
"$kubebuilder" create api --group cache --version v1alpha1 --kind Backup --resource --controller --make=false
make manifests generate LOCALBIN="$LOCALBIN"
go build ./...
KUBEBUILDER_ASSETS="$("$root/hack/cluster.sh")" make test-e2e-local LOCALBIN="$LOCALBIN" | tee "$work/e2e-local.log"
grep -q "skipping the sample Backup" "$work/e2e-local.log" ||
  { echo "e2e: make test-e2e-local did not skip the sample of Backup, whose controller is go/v4's" >&2; exit 1; }
echo "e2e: passed in $((SECONDS - begin)) s"
