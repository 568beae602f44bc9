{
  description = "fluxlight: a hardware reconcile-status light for Flux";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    nix-snapshotter = {
      url = "github:pdtpartners/nix-snapshotter";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs = { self, nixpkgs, nix-snapshotter }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f (import nixpkgs {
        inherit system;
        overlays = [ nix-snapshotter.overlays.default ];
      }));
    in
    {
      # Needs nothing from nixpkgs to be referenced: test/nix evaluates it against a stub lib.
      nixosModules.default = import ./nix/module.nix;

      packages = forAllSystems (pkgs: import ./nix/packages.nix { inherit pkgs; src = ./.; });

      apps = forAllSystems (pkgs: {
        flash = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.flash}/bin/fluxlight-flash";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = import ./nix/devshell.nix { inherit pkgs; };
      });
    };
}
