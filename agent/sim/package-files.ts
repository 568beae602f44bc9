// Files the demo reads at run time (the Flux CRDs, the firmware image), found from the package's
// root: this module runs from agent/sim/ in a checkout and from dist/ inside the demo bundle,
// so a path relative to `import.meta.url` would differ between the two.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

/** The directory of fluxlight's own package.json, above this module. */
export function packageRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "fluxlight") return (root = dir);
    if (dirname(dir) === dir) throw new Error(`fluxlight: no package.json of fluxlight above ${fileURLToPath(import.meta.url)}`);
  }
}

/** A path inside the package, e.g. `firmware/build/fluxlight.hex`. */
export function packageFile(path: string): string {
  return join(packageRoot(), path);
}
