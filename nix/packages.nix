# Every package the flake exposes, for one system. `src` is the repository root.
{ pkgs, src }:
let
  version = (builtins.fromJSON (builtins.readFile (src + "/package.json"))).version;
  nodejs = pkgs.nodejs_22;
  agent = pkgs.callPackage ./package.nix { inherit src version nodejs firmware; };
  image = pkgs.callPackage ./image.nix { inherit agent nodejs version; };
  firmware = pkgs.callPackage ./firmware.nix { inherit src version; };
in
{
  default = agent;
  inherit agent image;
  imageTarball = pkgs.callPackage ./image-tarball.nix { inherit agent nodejs version; };
  # The nix-snapshotter reference (`nix:0/nix/store/...tar`) goes into the Deployment; registry
  # users: `manifests.override { image = "registry.local:5000/fluxlight:${version}"; }`.
  manifests = pkgs.callPackage ./manifests.nix { inherit src version nodejs agent; image = image.image; };
  inherit firmware;
  flash = pkgs.callPackage ./flash.nix { inherit firmware; };
}
