# The firmware image, built by the repository's own Makefile with the avr cross toolchain.
{ lib, pkgsCross, src, version }:
pkgsCross.avr.stdenv.mkDerivation {
  pname = "fluxlight-firmware";
  inherit version;
  src = lib.fileset.toSource {
    root = src + "/firmware";
    fileset = lib.fileset.unions [ (src + "/firmware/Makefile") (src + "/firmware/src") ];
  };
  enableParallelBuilding = true;
  installPhase = ''
    runHook preInstall
    install -Dm444 build/fluxlight.hex $out/fluxlight.hex
    runHook postInstall
  '';
  # A .hex is text for the bootloader, not an ELF to strip or patch.
  dontFixup = true;
}
