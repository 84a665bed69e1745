#!/usr/bin/env bash
# A scaffolded project's e2e-local test killed with SIGKILL in the middle of
# its run leaves nothing behind: no manager, no process of the local cluster,
# no temporary folder (issue 21, acceptance 5).
#   hack/e2e-local-killed.sh <project folder>
# The test binary is built, started, and killed (-9) once the manager runs;
# the cluster's watchdog must then kill the manager's process group and the
# cluster's processes, and remove their folders.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
project=$(cd "$1" && pwd)
assets=$("$root/hack/cluster.sh")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tmp=${TMPDIR:-/tmp}
fail() { echo "e2e-local-killed: FAIL: $*" >&2; exit 1; }

cd "$project"
go test -c -o "$work/e2e-local.test" ./test/e2e-local/
before=$(ls -d "$tmp"/okt-cluster-* "$tmp"/e2e-local-manager-* 2>/dev/null | sort || true)
(cd test/e2e-local && KUBEBUILDER_ASSETS="$assets" exec "$work/e2e-local.test" -test.timeout=10m >"$work/test.log" 2>&1) &
pid=$!
manager="$project/bin/manager"
for _ in $(seq 1 600); do
  pgrep -f "^$manager( |\$)" >/dev/null && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/test.log"; fail "the test ended before the manager started"; }
  sleep 0.5
done
pgrep -f "^$manager( |\$)" >/dev/null || fail "the manager did not start within 5 minutes"
new=$(comm -13 <(echo "$before") <(ls -d "$tmp"/okt-cluster-* "$tmp"/e2e-local-manager-* 2>/dev/null | sort))
[ -n "$new" ] || fail "cannot find the folders of the cluster and the manager"
echo "e2e-local-killed: the manager runs; killing the test process $pid with SIGKILL"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
left=""
for _ in $(seq 1 60); do
  left=$(pgrep -af "^$manager( |\$)" || true)
  for d in $new; do
    left+=$(pgrep -af -- "$d" || true)
    [ -e "$d" ] && left+=" folder $d"
  done
  [ -z "$left" ] && break
  sleep 0.5
done
[ -z "$left" ] || fail "left behind 30 s after the kill: $left"
echo "e2e-local-killed: nothing left behind (manager, cluster processes, $(echo $new | wc -w) folders)"
