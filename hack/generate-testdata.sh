#!/usr/bin/env bash
# Generates a sample project with the okt CLI, the way a user would:
#   hack/generate-testdata.sh <okt binary> <output folder>
# init, create api for Memcached and Backup, and for Datastore with
# --lifecycle (the worked example of okt/lifecycle: Deploying, Running,
# Upgrading, Degraded, from its StatefulSet's readiness and a health check),
# create resource for a StatefulSet of the Datastore and a Job that runs once
# it is ready (--depends-on), and for a Deployment, a Service, a ConfigMap
# from a manifest rendered as a template (--template), a ConfigMap of
# Prometheus alert rules taken literally (their {{ $labels.instance }} are
# data) and a cluster-scoped ClusterRole of the Memcached, then the CRDs and
# deepcopy code.
# The library is replaced by the checkout two levels up, so the output
# belongs in testdata/<name>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
okt=$(realpath "$1")
out=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
p="$work/project-v3"
mkdir "$p"
cd "$p"
"$okt" init --domain example.com --repo example.com/project-v3 --license none --okt-path "$root"
"$okt" create api --group cache --version v1alpha1 --kind Memcached --resource --controller --make=false
"$okt" create api --group cache --version v1alpha1 --kind Backup --resource --controller --make=false
"$okt" create api --group cache --version v1alpha1 --kind Datastore --resource --controller --lifecycle --make=false
"$okt" create resource --group cache --version v1alpha1 --kind Datastore --type StatefulSet --name datastore
"$okt" create resource --group cache --version v1alpha1 --kind Datastore --type Job --name migrate --depends-on datastore
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Deployment --name memcached
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type Service --name memcached
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name settings \
  --from "$root/hack/testdata/settings-configmap.yaml" --template
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type ConfigMap --name alerts \
  --from "$root/hack/testdata/alert-rules-configmap.yaml"
"$okt" create resource --group cache --version v1alpha1 --kind Memcached --type ClusterRole --name reader
make manifests generate fmt
go mod tidy
# Checked in next to the library: point the replace at it relatively.
go mod edit -replace "github.com/okt-dev/okt=../.."
rm -rf bin cover.out

cd "$root"
rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -r "$p" "$out"
echo "generated $out"
