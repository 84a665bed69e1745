#!/usr/bin/env bash
# Stands in for setup-envtest in a scaffolded project's Makefile, which
# downloads binaries from the internet: whatever it is asked, it prints the
# folder of the control plane that hack/controlplane.sh builds.
#   make test ENVTEST=/path/to/okt/hack/envtest-shim.sh
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/controlplane.sh"
