# The same image as a docker-archive tarball, for clusters that pull from a (node-local) registry:
#   skopeo copy docker-archive:result docker://registry.local:5000/fluxlight:<version>
{ dockerTools, agent, nodejs, version }:
dockerTools.buildLayeredImage {
  name = "fluxlight";
  tag = version;
  config = import ./image-config.nix { inherit agent nodejs; };
}
