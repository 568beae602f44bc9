# `nix develop`: everything scripts/setup.sh would otherwise apt-get, so `nix develop -c npm test` runs.
{ pkgs }:
let
  avr = pkgs.pkgsCross.avr;
in
pkgs.mkShell {
  packages = [
    pkgs.nodejs_22
    pkgs.python3 # node-gyp, should serialport's binding need a rebuild
    avr.buildPackages.gcc # avr-gcc, wrapped with avr-libc
    avr.buildPackages.binutils # avr-objcopy, avr-size
    pkgs.avrdude
    pkgs.socat
    pkgs.util-linux # script(1): the demo runs in a real pseudo-terminal in test/e2e/demo-screen.test.ts
    pkgs.gnumake
    pkgs.systemd # udevadm
    pkgs.nix # nix-instantiate, for test/nix
  ];
  # scripts/setup.sh looks here for avr-libc when /usr/lib/avr does not exist.
  AVR_LIBC_INCLUDE = "${avr.libcCross}/avr/include";
}
