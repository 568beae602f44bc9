# `nix run .#flash [DEVICE]`: writes the firmware through the Uno's bootloader.
# The default device is the NixOS module's stable symlink, never a ttyACM number that can move.
{ writeShellApplication, avrdude, firmware, device ? "/dev/fluxlight" }:
writeShellApplication {
  name = "fluxlight-flash";
  runtimeInputs = [ avrdude ];
  text = ''
    port="''${1:-${device}}"
    if [ ! -e "$port" ]; then
      echo "fluxlight-flash: $port does not exist (is the board plugged in, the NixOS module on?)" >&2
      exit 1
    fi
    exec avrdude -p atmega328p -c arduino -P "$port" -b 115200 -U "flash:w:${firmware}/fluxlight.hex:i"
  '';
}
