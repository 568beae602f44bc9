# `nix run .#flash [DEVICE]`: writes the firmware through the Uno's bootloader.
# The default device is the NixOS module's stable symlink, never a ttyACM number that can move.
# It prints the image's sha256 first: the digest `fluxlight demo` prints for the image it runs
# (the npm package ships the same build), so a user can tell which firmware a board got.
{ writeShellApplication, avrdude, coreutils, firmware, device ? "/dev/fluxlight" }:
writeShellApplication {
  name = "fluxlight-flash";
  runtimeInputs = [ avrdude coreutils ];
  text = ''
    port="''${1:-${device}}"
    if [ ! -e "$port" ]; then
      echo "fluxlight-flash: $port does not exist (is the board plugged in, the NixOS module on?)" >&2
      exit 1
    fi
    sum="$(sha256sum ${firmware}/fluxlight.hex)"
    echo "fluxlight-flash: writing ${firmware}/fluxlight.hex (sha256 ''${sum%% *}) to $port" >&2
    exec avrdude -p atmega328p -c arduino -P "$port" -b 115200 -U "flash:w:${firmware}/fluxlight.hex:i"
  '';
}
