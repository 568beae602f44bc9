# `npm run synth` inside a derivation, with the image reference injected: $out/fluxlight.k8s.yaml.
{ lib, buildNpmPackage, importNpmLock, nodejs, src, version, agent, image }:
buildNpmPackage {
  pname = "fluxlight-manifests";
  inherit version nodejs;
  src = import ./source.nix { inherit lib src; extra = [ "charts" ]; };
  npmDeps = importNpmLock { npmRoot = src; };
  npmConfigHook = importNpmLock.npmConfigHook;
  npmRebuildFlags = [ "--ignore-scripts" ];

  npmBuildScript = "synth";
  env = {
    FLUXLIGHT_IMAGE = image;
    TSX_DISABLE_CACHE = "1";
  };

  installPhase = ''
    runHook preInstall
    cp -r charts/dist $out
    runHook postInstall
  '';

  passthru = { inherit image agent; };
}
