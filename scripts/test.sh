#!/usr/bin/env bash
# Every test file under test/, through node's own test runner (Node 20 does not expand globs
# given to --test itself). Extra arguments go to node, e.g. --test-name-pattern.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/.cache/*' | sort)
# A test that fails must not leave its emulated board running and hang the run: every test has
# a time limit and each file exits when its tests are done.
exec node --import tsx --test --test-concurrency=2 --test-timeout=240000 --test-force-exit "$@" "${files[@]}"
