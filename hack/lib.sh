# Shared by the hack scripts.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}
# Tools a scaffolded Makefile installs (controller-gen, kustomize), shared
# between projects instead of one bin/ per project.
export LOCALBIN=${LOCALBIN:-$cache/tools}
mkdir -p "$LOCALBIN"
# setup-envtest downloads from the internet: stand in for it.
export ENVTEST="$root/hack/envtest-shim.sh"
