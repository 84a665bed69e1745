#!/usr/bin/env bash
# Builds operator-sdk from the Go module proxy, with the okt plugin
# (okt.orange.com/v1) compiled in, and prints the binary's path:
#   hack/operator-sdk.sh           operator-sdk with okt; linked to bin/operator-sdk
#   hack/operator-sdk.sh --stock   the same operator-sdk without okt (what a
#                                  teammate without okt runs); not linked.
#                                  Built from the same go.mod as the okt
#                                  build (see below), so that it reuses its
#                                  compiled packages
#
# operator-sdk never discovers plugins: a plugin must be compiled into its
# binary. This script copies the module's source (github.com/operator-framework/
# operator-sdk@$OPERATOR_SDK_VERSION, v1.42.3 by default, from the module
# cache after `go mod download`) to a temporary folder, patches that copy and
# builds it as operator-sdk's Makefile does (CGO_ENABLED=0, build tag
# containers_image_openpgp, its version ldflags). Nothing of operator-sdk is
# kept in this repository, and this repository's go.mod does not change.
#
# The patch of the copy's internal/cmd/operator-sdk/cli/cli.go:
#   - leaves out the ansible plugin (ansible.sdk.operatorframework.io/v1): the
#     module proxy refuses its module, github.com/operator-framework/
#     ansible-operator-plugins (403), so its import, its bundle and its go.mod
#     requirement are removed. Everything else (go/v4, helm, deploy-image,
#     grafana, manifests, scorecard, and every command) is operator-sdk's own.
#   - with okt (not --stock): requires github.com/okt-dev/okt with a replace
#     to this checkout, keeps operator-sdk's own version of every module
#     okt's go.mod would raise (kubebuilder, controller-runtime, k8s.io, ...:
#     a replace each; OKT_SDK_DEPS=okt does not, see docs/compatibility.md),
#     and adds the two lines an integrator adds (see the README and
#     plugin.BundlesFor):
#       gov4Bundle, oktBundle, oktErr := oktplugin.BundlesFor(gov4Bundle)
#       cli.WithPlugins(..., gov4Bundle, oktBundle, ...)
#
# Binaries are cached outside the repository, so a second run takes seconds:
#   ${OKT_CACHE:-$HOME/.cache/okt}/operator-sdk/<version>-<hash of okt's plugin sources>/operator-sdk
#   ${OKT_CACHE:-$HOME/.cache/okt}/operator-sdk/<version>-stock/operator-sdk
# The hash covers the okt packages the plugin compiles (plugin/, scaffolds/
# and what they import), go.mod, go.sum, this script and the checkout's path; a new build
# of a checkout removes its older ones. The okt build's default
# --okt-path is this checkout (plugin.DefaultPath), as for bin/okt.
# Build logs go to stderr; stdout holds only the binary's path.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

version=${OPERATOR_SDK_VERSION:-v1.42.3}
module=github.com/operator-framework/operator-sdk
stock=false
case "${1:-}" in
  "") ;;
  --stock) stock=true ;;
  *) echo "usage: $0 [--stock]" >&2; exit 2 ;;
esac

if $stock; then
  key="$version-stock"
else
  # The okt packages compiled into operator-sdk: the plugin and what it
  # imports from this module, with their embedded files.
  files=$(cd "$root" && go list -deps -f '{{if .Module}}{{if eq .Module.Path "github.com/okt-dev/okt"}}{{$d := .Dir}}{{range .GoFiles}}{{$d}}/{{.}}
{{end}}{{range .EmbedFiles}}{{$d}}/{{.}}
{{end}}{{end}}{{end}}' ./plugin)
  # The checkout's path is compiled in too (the replace, the default of
  # --okt-path): another checkout gets its own build.
  hash=$( (echo "$root"; cd "$root" && sha256sum go.mod go.sum hack/operator-sdk.sh; for f in $files; do sha256sum "$f"; done) | sha256sum | cut -c1-12)
  key="$version-$hash"
  # OKT_SDK_DEPS=okt (see below) is another build.
  [ "${OKT_SDK_DEPS:-host}" = host ] || key+="-deps-${OKT_SDK_DEPS}"
fi
dir="$cache/operator-sdk/$key"
bin="$dir/operator-sdk"

link() {
  if ! $stock; then
    mkdir -p "$root/bin"
    ln -sfn "$bin" "$root/bin/operator-sdk"
  fi
  echo "$bin"
}

if [ -x "$bin" ]; then
  echo "operator-sdk: $version$($stock && echo ' (stock)' || echo ' with okt') cached in $dir" >&2
  link
  exit 0
fi

start=$(date +%s)
echo "operator-sdk: building $module@$version$($stock && echo ' (stock, without okt)' || echo ' with okt') into $dir (minutes the first time)" >&2
mkdir -p "$cache/operator-sdk"
tmp=$(mktemp -d "$cache/operator-sdk/build.XXXXXX")
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# The checksum database does not know every module (some answer 404): the
# module's own go.sum holds the hashes of its dependencies.
export GONOSUMDB=${GONOSUMDB:+$GONOSUMDB,}github.com/operator-framework
json=$(go mod download -json "$module@$version")
src=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' <<<"$json")
commit=$(sed -n 's/^[[:space:]]*"Hash": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -1)
if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then
  echo "operator-sdk: go mod download $module@$version gave no source folder" >&2
  exit 1
fi
cp -r "$src" "$tmp/src"
chmod -R u+w "$tmp/src"
cd "$tmp/src"
cli=internal/cmd/operator-sdk/cli/cli.go
k8s_version=$(sed -n 's/^export K8S_VERSION = //p' Makefile)

# patch <description> <perl substitution>: applies the substitution to cli.go
# and fails when it matched nothing (operator-sdk's cli.go changed).
patch() {
  local what=$1 expr=$2
  cp "$cli" "$cli.orig"
  perl -0pi -e "$expr" "$cli"
  if cmp -s "$cli" "$cli.orig"; then
    echo "operator-sdk: cannot $what in $module@$version's $cli: its code differs from v1.42.3's; update hack/operator-sdk.sh" >&2
    exit 1
  fi
  rm "$cli.orig"
}

# The ansible plugin's module is refused by the module proxy: leave it out.
patch "remove the ansible import" 's{\n\s*ansiblev1 "github.com/operator-framework/ansible-operator-plugins/pkg/plugins/ansible/v1"}{}'
patch "remove the ansible bundle" 's{\n\tansibleBundle, _ := plugin\.NewBundleWithOptions\(.*?\n\t\)\n}{}s'
patch "remove the ansible bundle from the plugins" 's{\n\t\t\tansibleBundle,}{}'
go mod edit -droprequire=github.com/operator-framework/ansible-operator-plugins

# The go.mod of both builds: okt's library with a replace to this checkout,
# and (OKT_SDK_DEPS=host) operator-sdk's own version of each module. The
# stock build's go.mod is the same, so that it reuses every package the okt
# build compiled (Go keys a compiled package by its module's required
# version, even when a replace picks another: a stock go.mod would compile
# all of them again, 224 s of a cold make test); its cli.go imports nothing
# of okt, so the binary holds nothing of okt (checked below).
# okt's go.mod requires newer kubebuilder, controller-runtime and k8s.io
# modules than operator-sdk's: minimal version selection would move the
# whole operator-sdk build to them (its go/v4 scaffold would become
# kubebuilder's newer one). With OKT_SDK_DEPS=host (the default) every
# module of operator-sdk's own build list keeps its version (a replace
# pins each module okt would raise): okt's plugin is compiled against
# operator-sdk's kubebuilder, and the binary differs from stock
# operator-sdk only by okt. OKT_SDK_DEPS=okt leaves minimal version
# selection alone (docs/compatibility.md measures both).
# modules: "path version" of each module of the build list, but the main
# module and the replaced ones.
modules() {
  GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" go list -m -e -f '{{if not .Main}}{{if not .Replace}}{{.Path}} {{.Version}}{{end}}{{end}}' all | LC_ALL=C sort
}
own=$(modules)
go mod edit -require=github.com/okt-dev/okt@v0.0.0-00010101000000-000000000000 -replace=github.com/okt-dev/okt="$root"
deps=${OKT_SDK_DEPS:-host}
$stock && deps=host # stock is operator-sdk's versions, always
case $deps in
  host)
    pins=()
    while read -r path ver; do
      [ -n "$path" ] && pins+=("-replace=$path=$path@$ver")
    done < <(LC_ALL=C join <(echo "$own") <(modules) |
             awk '$2 != $3 {print $1, $2}')
    if [ ${#pins[@]} -gt 0 ]; then
      echo "operator-sdk: keeping operator-sdk's versions of ${#pins[@]} modules okt's go.mod would raise" >&2
      go mod edit "${pins[@]}"
    fi
    ;;
  okt) echo "operator-sdk: OKT_SDK_DEPS=okt: the build takes okt's versions where they are newer" >&2 ;;
  *) echo "operator-sdk: OKT_SDK_DEPS is host or okt, not $OKT_SDK_DEPS" >&2; exit 2 ;;
esac
ver_suffix=""
if ! $stock; then
  # okt: the integrator's lines.
  patch "import okt's plugin" 's{\n(\t"github.com/operator-framework/operator-sdk/internal/util/projutil"\n)}{\n$1\n\toktplugin "github.com/okt-dev/okt/plugin"\n}'
  patch "add okt to the Go bundle" 's{(\n\tgov4Bundle, _ := plugin\.NewBundleWithOptions\(.*?\n\t\)\n)}{$1\t// okt.orange.com/v1, added by okt'"'"'s hack/operator-sdk.sh: okt inside the Go bundle\n\t// (active on okt projects only) and under its own key.\n\tgov4Bundle, oktBundle, oktErr := oktplugin.BundlesFor(gov4Bundle)\n\tif oktErr != nil {\n\t\tlog.Fatal(oktErr)\n\t}\n}s'
  patch "add okt's bundle to the plugins" 's{(\n\t\t\tgov4Bundle,)}{$1\n\t\t\toktBundle,}'
  ver_suffix="+okt"
fi
gofmt -w "$cli" || { echo "operator-sdk: the patched $cli does not parse; update hack/operator-sdk.sh" >&2; exit 1; }

x="$module/internal/version"
ldflags="-X '$x.Version=$version' -X '$x.GitVersion=$version$ver_suffix' -X '$x.GitCommit=${commit:-unknown}'"
ldflags+=" -X '$x.KubernetesVersion=v${k8s_version:-unknown}' -X '$x.ImageVersion=$version'"
if ! $stock; then
  ldflags+=" -X 'github.com/okt-dev/okt/plugin.DefaultPath=$root'"
fi
(
  export CGO_ENABLED=0 GOFLAGS=-mod=mod
  go build -trimpath -tags containers_image_openpgp -ldflags "$ldflags" -o "$tmp/operator-sdk" ./cmd/operator-sdk
) >&2
if $stock && go version -m "$tmp/operator-sdk" | grep -q 'github.com/okt-dev/okt'; then
  echo "operator-sdk: the stock build holds okt's packages (go version -m $tmp/operator-sdk)" >&2
  exit 1
fi
mkdir -p "$dir"
mv "$tmp/operator-sdk" "$bin"
if ! $stock; then
  # Older builds of this checkout (about 120 MB each) are of no more use.
  echo "$root" >"$dir/checkout"
  for old in "$cache/operator-sdk/$version"-*/; do
    old=${old%/}
    if [ "$old" != "$dir" ] && [ "$(cat "$old/checkout" 2>/dev/null)" = "$root" ]; then
      rm -rf "$old"
    fi
  done
fi
echo "operator-sdk: built in $(( $(date +%s) - start ))s" >&2
link
