#!/usr/bin/env bash
# Runs the tests that need the local cluster several times, with both CPUs
# kept busy by other processes, and reports the failures of each test:
#   hack/test-stress.sh [rounds (5)] [busy processes (the number of CPUs)]
# A test that fails one round in a few is a bug (a race in the test, the
# library or the local cluster): this is how to find it before CI does.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds=${1:-5}
busy=${2:-$(nproc)}
assets=$("$root/hack/cluster.sh")
packages="./okt/ ./okt/internal/reliability/ ./okt/cluster/"
work=$(mktemp -d)
burners=()
cleanup() {
  for p in "${burners[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$root"
# Build the test binaries first, then burn the CPUs while they run.
for p in $packages; do
  go test -c -o "$work/$(echo "$p" | tr -c 'a-z0-9\n' '_').test" "$p" >/dev/null
done
for _ in $(seq 1 "$busy"); do
  (while :; do :; done) &
  burners+=($!)
done
echo "test-stress: $rounds rounds of $packages, $busy busy processes"
for r in $(seq 1 "$rounds"); do
  for p in $packages; do
    bin="$work/$(echo "$p" | tr -c 'a-z0-9\n' '_').test"
    start=$SECONDS
    if (cd "$p" && KUBEBUILDER_ASSETS="$assets" "$bin" -test.count=1 -test.timeout=30m >"$work/round-$r-$(basename "$p").log" 2>&1); then
      echo "round $r $p: ok ($((SECONDS - start)) s)"
    else
      echo "round $r $p: FAILED ($((SECONDS - start)) s)"
      grep -a -E '^\s*--- FAIL' "$work/round-$r-$(basename "$p").log" | sed 's/^/    /' || true
      mkdir -p "$root/bin/stress"
      cp "$work/round-$r-$(basename "$p").log" "$root/bin/stress/"
    fi
  done
done
echo
echo "test-stress: failures per test over $rounds rounds"
failures=$(cat "$work"/round-*.log | grep -a -E '^--- FAIL' | sed -E 's/^--- FAIL: ([^ ]+).*/\1/' | sort | uniq -c | sort -rn || true)
if [ -z "$failures" ]; then
  echo "    none"
else
  echo "$failures" | sed 's/^/    /'
  echo "(logs of the failed rounds in bin/stress/)"
  exit 1
fi
