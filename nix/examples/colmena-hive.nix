# Fragment of a colmena hive: the node the board is plugged into. Merge into the hive, e.g. in
# the homelab's flake: `colmena = { meta = ...; } // import ./colmena-hive.nix { inherit fluxlight; };`
# with `inputs.fluxlight.url = "github:<owner>/fluxlight";`.
{ fluxlight }:
{
  shelf = { pkgs, ... }: {
    imports = [ fluxlight.nixosModules.default ];

    services.fluxlight = {
      enable = true;
      # An Uno R3; a CH340 clone is 1a86:7523. Add usb.serial when two boards share the ids.
      usb = { vendorId = "2341"; productId = "0043"; };
      # Writes /etc/generic-device-plugin/config.yaml advertising squat.ai/serial = /dev/fluxlight;
      # the plugin's DaemonSet mounts /etc/generic-device-plugin from the host.
      devicePlugin.enable = true;
    };

    # nix-snapshotter resolves `nix:0/nix/store/...` from this node's store: ship the image's
    # closure with the system, so the pod starts without a registry or a substituter.
    system.extraDependencies = [ fluxlight.packages.${pkgs.stdenv.hostPlatform.system}.image ];

    # To flash the board from this node: `nix run <fluxlight>#flash` (defaults to /dev/fluxlight).

    # The module only gives the board its name. The lights (two LEDs on this one board: rgb:9,10,11
    # and traffic:2,3,4) and the clusters they watch (this one, in-cluster, and staging) are the
    # chart's: `lights` and `remoteKubeconfig` in examples/cdk8s-app.ts. staging's kubeconfig is a
    # Secret in the fluxlight namespace, SOPS-encrypted in git, never in this hive or the Nix store.
    # Running the agent on this node outside Kubernetes instead (not provided by the module), a
    # systemd unit would run, with a kubeconfig from sops-nix or agenix that has both contexts:
    #   fluxlight run --serial /dev/fluxlight --config /etc/fluxlight/lights.yaml
    #     --kubeconfig /run/secrets/fluxlight-kubeconfig --context home --context staging
    # (there is no in-cluster outside a pod: the lights file then names home instead).
  };
}
