#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from Go modules and
# prints the folder that holds them, for KUBEBUILDER_ASSETS.
#
# The binaries go to a cache outside the repository, keyed by version:
#   ${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}/controlplane/<k8s>-etcd<etcd>
# A second run finds them there and builds nothing. Build logs go to stderr;
# stdout holds only the folder, so `KUBEBUILDER_ASSETS=$(hack/controlplane.sh)` works.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools="$here/tools"
k8s_version=$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "$tools/go.mod")
etcd_version=$(awk '$1 == "go.etcd.io/etcd/server/v3" {print $2; exit}' "$tools/go.mod")
cache=${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}
dir="$cache/controlplane/${k8s_version#v}-etcd${etcd_version#v}"

if [ -x "$dir/kube-apiserver" ] && [ -x "$dir/etcd" ]; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
tmp=$(mktemp -d "$dir.build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
echo "controlplane: building kube-apiserver $k8s_version and etcd $etcd_version into $dir (a few minutes, once)" >&2
(
  cd "$tools"
  export GOFLAGS=-mod=mod CGO_ENABLED=0
  go build -trimpath -o "$tmp/etcd" ./etcd
  go build -trimpath -ldflags "-X k8s.io/component-base/version.gitVersion=$k8s_version -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$k8s_version" | cut -d. -f2)" \
    -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
) >&2
mv "$tmp/etcd" "$tmp/kube-apiserver" "$dir/"
echo "controlplane: built in $(( $(date +%s) - start ))s" >&2
echo "$dir"
