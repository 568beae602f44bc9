# Evaluates a NixOS module of this repo against the stub lib: option defaults merged with
# `settings` become `config`, each value is checked against its option's type, and the result
# is the module's config after its top-level mkIf.
# `module` defaults to nix/module.nix; the flake test passes the flake's nixosModules.default.
{ settings ? { }, module ? import ../../nix/module.nix }:
let
  lib = import ./stub-lib.nix;
  isOption = v: builtins.isAttrs v && (v._type or null) == "option";

  # Defaults overlaid with settings; a setting for an option that does not exist is an error.
  merge = opts: given:
    let unknown = builtins.filter (n: !(opts ? ${n})) (builtins.attrNames given);
    in if unknown != [ ] then throw "unknown option(s): ${builtins.concatStringsSep ", " unknown}"
    else builtins.mapAttrs
      (n: o:
        if isOption o then
          let v = given.${n} or o.default;
          in if (o.readOnly or false) && given ? ${n} then throw "option ${n} is read-only"
          else if o.type.check v then v
          else throw "option ${n}: ${builtins.toJSON v} is not a ${o.type.name}"
        else merge o (given.${n} or { }))
      opts;

  evaluated = module { inherit lib config; pkgs = { }; };
  config.services.fluxlight = merge evaluated.options.services.fluxlight (settings.services.fluxlight or { });
  top = evaluated.config;
in
{
  options = config.services.fluxlight;
  config = if top._type or null == "if" then (if top.condition then top.content else { }) else top;
}
