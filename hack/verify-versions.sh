#!/usr/bin/env bash
# Fails unless okt's dependencies are on one Kubernetes release (make verify;
# docs/compatibility.md):
#   - every k8s.io module compiled into okt's packages and tests (and
#     hack/benchcompare's) has k8s.io/api's version, v0.<minor>.<patch>;
#   - structured-merge-diff is the major and version that k8s.io/apimachinery
#     requires (no second major compiled in);
#   - controller-runtime and the kubebuilder go/v4 scaffold are of that
#     minor: controller-runtime requires k8s.io/api v0.<minor>, and the
#     controller-runtime go/v4 pins has the minor of okt's;
#   - the control plane and the local cluster (hack/tools) are Kubernetes
#     v1.<minor>.<patch>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$root"
failed=0
fail() { echo "verify-versions: $*" >&2; failed=1; }

api=$(go list -m -f '{{.Version}}' k8s.io/api)
minor=$(echo "$api" | cut -d. -f2)

# built <module folder>: "path version" of the modules of the packages (and
# tests) of that module.
built() {
  (cd "$1" && go list -deps -test -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./...) | sort -u
}

for dir in . hack/benchcompare; do
  while read -r path version; do
    case $path in
      k8s.io/klog/* | k8s.io/utils | k8s.io/kube-openapi | k8s.io/gengo/*) ;; # versioned on their own
      k8s.io/*)
        [ "$version" = "$api" ] || fail "$dir: $path is $version, not k8s.io/api's $api" ;;
      sigs.k8s.io/structured-merge-diff/*)
        want=$(go mod graph | awk -v m="k8s.io/apimachinery@$api" '$1 == m && $2 ~ /^sigs.k8s.io\/structured-merge-diff\// {print $2}')
        [ "$path@$version" = "$want" ] || fail "$dir: $path@$version is compiled in, k8s.io/apimachinery $api requires $want" ;;
    esac
  done < <(built "$dir")
  [ "$(cd "$dir" && go list -m -f '{{.Version}}' k8s.io/api)" = "$api" ] || fail "$dir: k8s.io/api is not $api"
done

cr=$(go list -m -f '{{.Version}}' sigs.k8s.io/controller-runtime)
cr_api=$(go mod graph | awk -v m="sigs.k8s.io/controller-runtime@$cr" '$1 == m && $2 ~ /^k8s.io\/api@/ {sub(/.*@/, "", $2); print $2}')
[ "$(echo "$cr_api" | cut -d. -f2)" = "$minor" ] || fail "controller-runtime $cr requires k8s.io/api $cr_api, not v0.$minor"
[ "$(cd hack/benchcompare && go list -m -f '{{.Version}}' sigs.k8s.io/controller-runtime)" = "$cr" ] ||
  fail "hack/benchcompare's controller-runtime is not $cr"

kb_dir=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kubebuilder/v4)
kb_cr=$(sed -n 's/^[[:space:]]*ControllerRuntimeVersion = "\(.*\)"$/\1/p' "$kb_dir/pkg/plugins/golang/v4/scaffolds/init.go")
[ "$(echo "$kb_cr" | cut -d. -f1-2)" = "$(echo "$cr" | cut -d. -f1-2)" ] ||
  fail "kubebuilder $kubebuilder_version's go/v4 scaffolds controller-runtime $kb_cr, okt is on $cr"

kube=$(required hack/tools/go.mod k8s.io/kubernetes)
[ "$kube" = "v1.${api#v0.}" ] || fail "hack/tools builds Kubernetes $kube, okt's k8s.io modules are $api"

[ $failed = 0 ] || exit 1
echo "verify-versions: Kubernetes $kube (control plane, local cluster), k8s.io $api, controller-runtime $cr (kubebuilder $kubebuilder_version's go/v4: $kb_cr), structured-merge-diff $(go list -m -f '{{.Version}}' sigs.k8s.io/structured-merge-diff/v6)"
