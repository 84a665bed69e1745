#!/usr/bin/env bash
# Runs a scaffolded project's own `make test` on the local control plane:
#   hack/test-project.sh <project folder>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$1"
make -o "$ENVTEST" test ENVTEST="$ENVTEST" LOCALBIN="$LOCALBIN"
