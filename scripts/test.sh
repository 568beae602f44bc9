#!/usr/bin/env bash
# Every test file under test/, through node's own test runner (Node 20 does not expand globs
# given to --test itself). Extra arguments go to node, e.g. --test-name-pattern.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/.cache/*' | sort)
exec node --import tsx --test --test-concurrency=2 "$@" "${files[@]}"
