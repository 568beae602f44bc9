# Just enough of nixpkgs' lib for nix/module.nix, with no nixpkgs: options keep their type's
# check so the harness can hold given values to it, and mkIf stays inspectable.
let
  strMatching = re: { name = "strMatching ${re}"; check = v: builtins.isString v && builtins.match re v != null; };
in
{
  mkOption = attrs: attrs // { _type = "option"; };
  mkEnableOption = what: { _type = "option"; type = { name = "bool"; check = builtins.isBool; }; default = false; description = "Whether to enable ${what}."; };
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  optionalAttrs = cond: attrs: if cond then attrs else { };
  types = {
    str = { name = "str"; check = builtins.isString; };
    bool = { name = "bool"; check = builtins.isBool; };
    inherit strMatching;
    nullOr = t: { name = "nullOr ${t.name}"; check = v: v == null || t.check v; };
  };
}
