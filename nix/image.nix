# The nix-snapshotter image: containerd resolves `nix:0/nix/store/...` straight from the node's
# Nix store, no registry. `.image` is that reference, for the Deployment.
{ nix-snapshotter, agent, nodejs, version }:
nix-snapshotter.buildImage {
  name = "fluxlight";
  tag = version;
  resolvedByNix = true;
  config = import ./image-config.nix { inherit agent nodejs; };
}
