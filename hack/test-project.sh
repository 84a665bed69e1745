#!/usr/bin/env bash
# Runs a scaffolded project's own tests, offline:
#   hack/test-project.sh <project folder>
# 1. its `make test` (envtest), as a user types it: okt's create api made it
#    run on okt's control plane (hack/controlplane.sh, built the first time)
#    instead of downloading setup-envtest;
# 2. its `make test-e2e-local` (okt's create api adds the target): the
#    manager, built and run as a process against okt's local cluster, brings
#    the samples of the okt kinds to Ready with their Pods Running.
#    KUBEBUILDER_ASSETS is the folder of the local cluster's binaries
#    (hack/cluster.sh, built the first time).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$1"
"$root/hack/controlplane.sh" >/dev/null
make test LOCALBIN="$LOCALBIN"
assets=$("$root/hack/cluster.sh")
start=$SECONDS
KUBEBUILDER_ASSETS="$assets" make test-e2e-local LOCALBIN="$LOCALBIN"
echo "test-project: make test-e2e-local passed in $((SECONDS - start)) s"
