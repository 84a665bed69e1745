# Shared by the hack scripts.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${OKT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/okt}

# required <go.mod> <module>: the version of module that go.mod requires.
required() {
  awk -v m="$2" '{ for (i = 1; i < NF; i++) if ($i == m && $(i+1) ~ /^v/) { print $(i+1); exit } }' "$1"
}

# The kubebuilder whose go/v4 okt scaffolds: the one okt's go.mod requires
# (the okt CLI is built with it). hack/e2e.sh tests the stock CLI of that
# version, and older ones (OKT_OLD_KUBEBUILDER).
kubebuilder_version=$(required "$root/go.mod" sigs.k8s.io/kubebuilder/v4)

# tools_dir <kubebuilder version>: the folder of the tools (controller-gen,
# kustomize) that the Makefiles of that kubebuilder's go/v4 install, shared
# between projects instead of one bin/ per project. One folder per
# kubebuilder: their Makefiles pin different controller-gen versions behind
# the same link (bin/controller-gen), and before v4.16 they do not move the
# link to their own version when another Makefile moved it.
tools_dir() { echo "$cache/tools/kubebuilder-$1"; }
export LOCALBIN=${LOCALBIN:-$(tools_dir "$kubebuilder_version")}
mkdir -p "$LOCALBIN"

# check_versions <project folder>: the project's controller-runtime and
# k8s.io modules are those okt's go.mod requires (the okt library moves a
# project scaffolded by an older go/v4 to them).
check_versions() {
  local m want got
  for m in sigs.k8s.io/controller-runtime k8s.io/api k8s.io/apimachinery k8s.io/client-go; do
    want=$(required "$root/go.mod" "$m")
    got=$(cd "$1" && go list -m -f '{{.Version}}' "$m")
    if [ "$got" != "$want" ]; then
      echo "$1: $m is $got, want $want (okt's go.mod)" >&2
      return 1
    fi
  done
  echo "versions: controller-runtime $(required "$root/go.mod" sigs.k8s.io/controller-runtime), k8s.io $(required "$root/go.mod" k8s.io/api), as okt's go.mod"
}
