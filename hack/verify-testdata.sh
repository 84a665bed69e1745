#!/usr/bin/env bash
# Fails when regenerating a sample project changes it:
#   hack/verify-testdata.sh <okt binary> <checked-in folder>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
okt=$1
want=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/hack/generate-testdata.sh" "$okt" "$tmp/$(basename "$want")" >/dev/null
if ! diff -r --exclude=bin --exclude=cover.out "$want" "$tmp/$(basename "$want")"; then
  echo "$want is out of date: run make generate-testdata and commit the result" >&2
  exit 1
fi
echo "$want is up to date"
