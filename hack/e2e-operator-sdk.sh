#!/usr/bin/env bash
# End to end with operator-sdk, as a user would, from empty folders:
#   hack/e2e-operator-sdk.sh <okt binary>
# operator-sdk v1.42.3 with okt compiled in (hack/operator-sdk.sh, cached):
# 1. `operator-sdk init --plugins okt.orange.com/v1`, create api, okt create
#    resource (Deployment, Service), make manifests generate, make bundle,
#    the project's own make test and make test-e2e-local; PROJECT keeps
#    layout go.kubebuilder.io/v4 and lists operator-sdk's manifests and
#    scorecard plugins and okt;
# 2. the same with `--plugins go/v4,okt.orange.com/v1` (make test only);
# 3. stock operator-sdk v1.42.3 (built the same way, without okt) on the
#    project of 1, unedited: a second create api, generate kustomize
#    manifests, make bundle.
# Every project is on okt's controller-runtime and k8s.io versions (the
# okt library moves operator-sdk's go/v4 scaffold to them).
# Offline: no container engine, the Makefile's tools come from okt's tools
# cache (LOCALBIN, the folder of operator-sdk's kubebuilder), operator-sdk
# from OPERATOR_SDK, envtest from okt's control plane (as make test finds it); Go modules come
# from the module cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
okt=$(realpath "$1")
begin=$SECONDS

sdk=$("$root/hack/operator-sdk.sh")
stock=$("$root/hack/operator-sdk.sh" --stock)
# operator-sdk keeps its own kubebuilder (hack/operator-sdk.sh), whose go/v4
# Makefile pins its own tools: they get their own folder.
sdk_version=${OPERATOR_SDK_VERSION:-v1.42.3}
sdk_gomod=$(GONOSUMDB=${GONOSUMDB:+$GONOSUMDB,}github.com/operator-framework go mod download -json "github.com/operator-framework/operator-sdk@$sdk_version" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
sdk_kubebuilder=$(required "$sdk_gomod" sigs.k8s.io/kubebuilder/v4)
[ -n "$sdk_kubebuilder" ] || { echo "e2e-operator-sdk: no kubebuilder in operator-sdk $sdk_version's go.mod ($sdk_gomod)" >&2; exit 1; }
export LOCALBIN
LOCALBIN=$(tools_dir "$sdk_kubebuilder")
mkdir -p "$LOCALBIN"
echo "e2e-operator-sdk: operator-sdk $sdk_version, its go/v4 is kubebuilder $sdk_kubebuilder's"

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
step() { printf '\n==> e2e-operator-sdk: %s\n' "$*"; }
fail() { echo "e2e-operator-sdk: $*" >&2; exit 1; }

# The tools of the Makefile (controller-gen, kustomize) from okt's cache,
# operator-sdk from the build above; no image is built or pushed.
make_args=(LOCALBIN="$LOCALBIN" IMG=example.com/memcached-operator:v0.0.1)

# check_project <folder>: PROJECT as the host's other plugins and a stock
# operator-sdk need it.
check_project() {
  local project="$1/PROJECT"
  local layout
  layout=$(awk '/^layout:/ {on=1; next} on && /^- / {print $2; next} {on=0}' "$project")
  [ "$layout" = "go.kubebuilder.io/v4" ] || fail "$project: layout is [$layout], want [go.kubebuilder.io/v4]"
  for key in manifests.sdk.operatorframework.io/v2 scorecard.sdk.operatorframework.io/v2 okt.orange.com/v1; do
    grep -q "^  $key:" "$project" || fail "$project: plugins has no $key:"$'\n'"$(cat "$project")"
  done
}

# check_bundle <folder> <kind...>: make bundle wrote a valid bundle that owns
# the kinds' CRDs.
check_bundle() {
  local dir=$1; shift
  local csv
  csv=$(ls "$dir"/bundle/manifests/*.clusterserviceversion.yaml) || fail "no ClusterServiceVersion in $dir/bundle"
  for kind in "$@"; do
    grep -q "kind: $kind\$" "$csv" || fail "$csv does not own $kind"
  done
}

scaffold() {
  local name=$1 plugins=$2
  step "operator-sdk with okt: init --plugins $plugins"
  mkdir -p "$work/$name/memcached-operator"
  cd "$work/$name/memcached-operator"
  # --okt-path defaults to this checkout (the build's plugin.DefaultPath).
  "$sdk" init --plugins "$plugins" --domain example.com --repo example.com/memcached-operator
  cat PROJECT
  check_project .
  grep -q "^replace github.com/okt-dev/okt => $root\$" go.mod || fail "go.mod has no replace to $root:"$'\n'"$(cat go.mod)"
  "$sdk" create api --group cache --version v1alpha1 --kind Memcached --resource --controller
  grep -q engines.NewStepper internal/controller/memcached_controller.go || fail "create api did not write okt's controller"
  # operator-sdk's go/v4 pins an older controller-runtime: the okt library
  # moved the project to its own versions.
  check_versions . || fail "the project is not on okt's versions"
  "$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached
  "$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Service --name memcached
  make manifests generate "${make_args[@]}"
  # The first time, generate kustomize manifests asks for the CSV's display
  # name and more (make bundle runs it with -q only): write the base
  # without asking.
  "$sdk" generate kustomize manifests --interactive=false -q
  make bundle OPERATOR_SDK="$sdk" "${make_args[@]}"
  check_bundle . Memcached
  check_project .
  go build ./...
  step "$name: the project's own make test"
  "$root/hack/controlplane.sh" >/dev/null
  make test "${make_args[@]}"
}

scaffold okt okt.orange.com/v1
# operator-sdk's go/v4 files run on okt's versions: the manager, built from
# the project, brings the sample to Ready on the local cluster.
step "okt: the project's own make test-e2e-local"
KUBEBUILDER_ASSETS="$("$root/hack/cluster.sh")" make test-e2e-local "${make_args[@]}"
scaffold go-v4-okt go/v4,okt.orange.com/v1

step "stock operator-sdk (without okt) on the okt project, unedited"
cd "$work/okt/memcached-operator"
"$stock" version | grep -q '"v1.42.3"' || fail "$stock is not operator-sdk v1.42.3"
"$stock" create api --group cache --version v1alpha1 --kind Backup --resource --controller
if grep -q engines.NewStepper internal/controller/backup_controller.go; then
  fail "stock operator-sdk wrote okt's controller"
fi
"$stock" generate kustomize manifests -q
make bundle OPERATOR_SDK="$stock" "${make_args[@]}"
check_bundle . Memcached Backup
check_project .
check_versions . || fail "the project is not on okt's versions after stock operator-sdk"
go build ./...
echo "e2e-operator-sdk: passed in $((SECONDS - begin)) s"
