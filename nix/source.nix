# The files a build needs, and no build output a developer's tree may hold.
{ lib, src, extra ? [ ] }:
lib.fileset.toSource {
  root = src;
  fileset = lib.fileset.unions ([
    (src + "/package.json")
    (src + "/package-lock.json")
    (src + "/tsconfig.json")
    (src + "/agent")
  ] ++ map (p: src + "/${p}") extra);
}
