#!/usr/bin/env bash
# Stock StandardFirmata 2.5 for the Uno, used by the tests to prove that the agent needs nothing
# of fluxlight's own firmware for the basic light. The hex is LGPL-2.1 (firmata/arduino); we do not
# redistribute it: it is taken from the npm package avrgirl-arduino (MIT, junk/hex/uno/), pinned by
# version and checksum, into a git-ignored cache.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/.cache/StandardFirmata.uno.hex
sha=6d57ea7cf30e26c9c2f3a01ee37907d2c951f8bc9c27f84dddad12fa9c8b8f36
[ -f "$out" ] && exit 0
mkdir -p test/.cache
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack avrgirl-arduino@5.0.1 --silent >/dev/null && tar xzf avrgirl-arduino-5.0.1.tgz package/junk/hex/uno/StandardFirmata.cpp.hex )
got=$(sha256sum "$tmp/package/junk/hex/uno/StandardFirmata.cpp.hex" | cut -d' ' -f1)
if [ "$got" != "$sha" ]; then
  echo "fetch-standard-firmata: checksum mismatch ($got), refusing to use it" >&2
  exit 1
fi
cp "$tmp/package/junk/hex/uno/StandardFirmata.cpp.hex" "$out"
