#!/usr/bin/env bash
# Builds the binaries of the local cluster (package okt/cluster, `okt cluster`)
# from Go modules and prints the folder that holds all of them, for
# KUBEBUILDER_ASSETS:
#   kube-apiserver, etcd             hack/controlplane.sh (hack/tools)
#   kube-controller-manager,
#   kube-scheduler                   k8s.io/kubernetes, pinned in hack/tools
#   kwok                             sigs.k8s.io/kwok, pinned in hack/tools too
#                                    (it reuses the Kubernetes packages the
#                                    others compiled; see hack/tools/tools.go)
#
# kube-controller-manager and kube-scheduler go into the control plane's
# folder, whose key (the Kubernetes and etcd versions) is theirs too:
#   ${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}/controlplane/<k8s>-etcd<etcd>
# kwok goes into a sibling folder whose key adds kwok's version, with links to
# the four others; that sibling is what this script prints:
#   .../controlplane/<k8s>-etcd<etcd>-kwok<kwok>
# A second run finds everything there and builds nothing. Build logs go to
# stderr; stdout holds only the folder.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
controlplane=$("$here/controlplane.sh")
# version <module> <go.mod>: the required version of module (in a require
# block or on a require line).
version() {
  awk -v m="$1" '{ for (i = 1; i < NF; i++) if ($i == m && $(i+1) ~ /^v/) { print $(i+1); exit } }' "$2"
}
k8s_version=$(version k8s.io/kubernetes "$here/tools/go.mod")
kwok_version=$(version sigs.k8s.io/kwok "$here/tools/go.mod")
if [ -z "$k8s_version" ] || [ -z "$kwok_version" ]; then
  echo "cluster: cannot read the versions of k8s.io/kubernetes ($k8s_version) and sigs.k8s.io/kwok ($kwok_version) in hack/tools/go.mod" >&2
  exit 1
fi
dir="$controlplane-kwok${kwok_version#v}"

# build <module folder> <destination folder> <name> <package> [go build flags...]
# builds one binary into a temporary file next to its destination and moves it
# in place, so that an interrupted build leaves nothing half-written.
build() {
  local module=$1 dest=$2 name=$3 pkg=$4
  shift 4
  [ -x "$dest/$name" ] && return 0
  mkdir -p "$dest"
  local tmp start
  tmp=$(mktemp -d "$dest/.$name.build.XXXXXX")
  start=$(date +%s)
  echo "cluster: building $name into $dest (once)" >&2
  if ! (cd "$module" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath "$@" -o "$tmp/$name" "$pkg") >&2; then
    rm -rf "$tmp"
    return 1
  fi
  mv "$tmp/$name" "$dest/$name"
  rm -rf "$tmp"
  echo "cluster: built $name in $(( $(date +%s) - start ))s" >&2
}

minor=$(echo "$k8s_version" | cut -d. -f2)
kube_ldflags="-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"

# One at a time: each is a large link (two cores are the norm here).
build "$here/tools" "$controlplane" kube-controller-manager k8s.io/kubernetes/cmd/kube-controller-manager -ldflags "$kube_ldflags"
build "$here/tools" "$controlplane" kube-scheduler k8s.io/kubernetes/cmd/kube-scheduler -ldflags "$kube_ldflags"
# kwok's version string is already set in its source: no ldflags.
build "$here/tools" "$dir" kwok sigs.k8s.io/kwok/cmd/kwok
# Since v0.8 kwok has no default stages: okt/cluster passes it those kwokctl
# uses by default, from kwok's release (its module), in one file.
if [ ! -s "$dir/kwok-stages.yaml" ]; then
  src=$(cd "$here/tools" && GOFLAGS=-mod=mod go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)/kustomize/stage
  tmp=$(mktemp "$dir/.kwok-stages.XXXXXX")
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    echo "---"
    cat "$src/$f"
  done > "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$dir/kwok-stages.yaml"
fi

for name in kube-apiserver etcd kube-controller-manager kube-scheduler; do
  [ -e "$dir/$name" ] || ln -sfn "../$(basename "$controlplane")/$name" "$dir/$name"
done
echo "$dir"
