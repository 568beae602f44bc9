# The agent. importNpmLock fetches each package by the integrity hash already in
# package-lock.json, so there is no npmDepsHash to keep in step with the lock file.
{ lib, buildNpmPackage, importNpmLock, makeWrapper, nodejs, python3, src, version, firmware }:
buildNpmPackage {
  pname = "fluxlight";
  inherit version nodejs;
  src = import ./source.nix { inherit lib src; extra = [ "scripts/bundle.mjs" ]; };

  npmDeps = importNpmLock { npmRoot = src; };
  npmConfigHook = importNpmLock.npmConfigHook;

  # No install script of any dependency runs (esbuild's would look for a download); the one
  # native module is built below, from source, against this nodejs.
  npmRebuildFlags = [ "--ignore-scripts" ];
  nativeBuildInputs = [ python3 makeWrapper ];
  env.npm_config_nodedir = "${nodejs}";

  # The prebuilt serialport binaries are linked for FHS distributions; build ours instead.
  postConfigure = ''
    rm -rf node_modules/@serialport/bindings-cpp/prebuilds
    npm rebuild @serialport/bindings-cpp --foreground-scripts
  '';

  # The production bundle, dist/fluxlight.mjs (esbuild, tree-shaken): agent/bin runs
  # it instead of the TypeScript sources through tsx — about half the resident memory
  # (BENCHMARKS.md). package.json's "files" ships it.
  npmBuildScript = "build";
  # The install step packs the package to learn its files: no prepack there (it would rebuild the
  # bundles, and make the firmware with an avr-gcc this build does not have).
  npmPackFlags = [ "--ignore-scripts" ];

  # V8's young generation capped at 1 MiB per semi-space: resident memory −6 to −30 MiB at 1,000
  # objects, −34 to −46 MiB at 10,000 (BENCHMARKS.md). Only a node flag at start-up can set it; a
  # NODE_OPTIONS the user set is kept after it (a later flag wins).
  # The firmware image the demo runs is the one `nix run .#flash` writes (the npm package
  # ships the same build, made by prepack).
  postInstall = ''
    wrapProgram $out/bin/fluxlight --prefix NODE_OPTIONS " " --max-semi-space-size=1
    install -Dm444 ${firmware}/fluxlight.hex $out/lib/node_modules/fluxlight/firmware/build/fluxlight.hex
  '';

  doInstallCheck = true;
  installCheckPhase = ''
    runHook preInstallCheck
    pkg=$out/lib/node_modules/fluxlight
    test -f $pkg/node_modules/@serialport/bindings-cpp/build/Release/bindings.node
    (cd $pkg && ${nodejs}/bin/node -e 'require("@serialport/bindings-cpp")')
    test -f $pkg/dist/fluxlight.mjs
    TSX_DISABLE_CACHE=1 $out/bin/fluxlight help >/dev/null
    runHook postInstallCheck
  '';

  meta = {
    description = "A hardware reconcile-status light for Flux";
    license = lib.licenses.asl20;
    mainProgram = "fluxlight";
    platforms = lib.platforms.linux;
  };
}
