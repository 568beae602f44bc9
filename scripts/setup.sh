#!/usr/bin/env bash
# Installs what fluxlight needs on a fresh Debian machine (or checks it in `nix develop`),
# then the npm packages and the firmware image. Safe to run again: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_debs=()
command -v avr-gcc >/dev/null || need_debs+=(gcc-avr)
[ -e /usr/lib/avr/include/avr/io.h ] || [ -n "${AVR_LIBC_INCLUDE:-}" ] || need_debs+=(avr-libc)
command -v socat >/dev/null || need_debs+=(socat)
command -v udevadm >/dev/null || need_debs+=(udev)
command -v nix-instantiate >/dev/null || need_debs+=(nix-bin)
command -v make >/dev/null || need_debs+=(make)
if [ ${#need_debs[@]} -gt 0 ]; then
  echo "fluxlight setup: installing Debian packages: ${need_debs[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
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
