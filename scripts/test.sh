#!/usr/bin/env bash
# Every test file under test/, through node's own test runner (Node 20 does not expand globs
# given to --test itself), on two Node majors:
#   1. Node 22 (scripts/setup.sh puts it in .cache/node22): the files that touch what differs
#      between Node versions — the serial port (serialport's native binding on a pty), the
#      emulated board, the HTTP client, the bundles and the installed package — plus the unit
#      tests (NODE22_TESTS below; BENCHMARKS.md, "Node 22", says why not the whole suite);
#   2. the `node` on PATH (Node 20 in CI): the whole suite.
# The output ends with one summary in the runner's own format, both runs added up; either run
# failing fails this script. Extra arguments go to node, e.g. --test-name-pattern.
# FLUXLIGHT_TEST_NODES=20 (or 22) runs only that one.
set -uo pipefail
cd "$(dirname "$0")/.."
mapfile -t all < <(find test -name '*.test.ts' -not -path '*/.cache/*' | sort)
NODE22_TESTS=(test/unit/ test/sim/ test/firmware/ test/kube/ test/status/ test/package/
  test/e2e/bundle.test.ts test/e2e/pin13-pty.test.ts test/e2e/board-stock.test.ts)
subset=()
for f in "${all[@]}"; do
  for p in "${NODE22_TESTS[@]}"; do [[ $f == "$p"* ]] && { subset+=("$f"); break; }; done
done

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
# A test that fails must not leave its emulated board running and hang the run: every test has
# a time limit and each file exits when its tests are done.
run() { # NAME NODE FILES...
  local name=$1 node=$2
  shift 2
  echo "# fluxlight: $name: $("$node" --version), $# test files"
  local started rc
  started="$(date +%s%3N)"
  PATH="$(dirname "$node"):$PATH" "$node" --import tsx --test --test-concurrency=2 --test-timeout=240000 --test-force-exit "${extra[@]}" "$@" 2>&1 | tee "$logs/$name"
  rc="${PIPESTATUS[0]}"
  # Node 20 leaves duration_ms out of its summary under --test-force-exit: the wall time instead.
  echo $(( $(date +%s%3N) - started )) >"$logs/$name.ms"
  return "$rc"
}
extra=("$@")
status=0
names=()
if [ "${FLUXLIGHT_TEST_NODES:-20 22}" != 20 ]; then
  if [ ! -x .cache/node22/bin/node ]; then
    echo "fluxlight: .cache/node22 is missing: run scripts/setup.sh (npm test does)" >&2
    exit 1
  fi
  run node22 "$PWD/.cache/node22/bin/node" "${subset[@]}" || status=1
  names+=(node22)
fi
if [ "${FLUXLIGHT_TEST_NODES:-20 22}" != 22 ]; then
  run node20 "$(command -v node)" "${all[@]}" || status=1
  names+=(node20)
fi

# One summary for both runs, in the runner's own words (TAP's "# pass 3", spec's "ℹ pass 3").
declare -A sum=()
fields=(tests suites pass fail cancelled skipped todo duration_ms)
prefix="# "
for name in "${names[@]}"; do
  line="# fluxlight: $name:"
  for f in "${fields[@]}"; do
    v="$(grep -aE "^(# |ℹ )$f [0-9.]+$" "$logs/$name" | tail -1 | awk '{print $NF}')"
    [ -n "$(grep -aE "^ℹ $f " "$logs/$name" | tail -1)" ] && prefix="ℹ "
    [ -z "$v" ] && [ "$f" = duration_ms ] && v="$(cat "$logs/$name.ms")"
    if [ -z "$v" ]; then
      v=0
      # No count of tests or failures: the runner itself died. Count it as a failure.
      if [ "$f" = tests ] || [ "$f" = fail ]; then
        [ "$f" = fail ] && v=1
        status=1
      fi
    fi
    sum[$f]="$(awk -v a="${sum[$f]:-0}" -v b="$v" 'BEGIN { print a + b }')"
    line+=" $f $v"
  done
  echo "$line"
done
[ "${sum[fail]}" != 0 ] || [ "${sum[cancelled]}" != 0 ] && status=1
echo "# fluxlight: both runs added up"
for f in "${fields[@]}"; do echo "$prefix$f ${sum[$f]}"; done
exit "$status"
