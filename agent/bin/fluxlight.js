#!/usr/bin/env node
// The package's command. It runs the bundles, dist/fluxlight.mjs and (for `demo`)
// dist/fluxlight-demo.mjs (`npm run build`, and `prepack` for the npm package), when they are
// not older than the sources they were built from; otherwise, in a checkout, the TypeScript
// sources through tsx (a dev dependency), so a checkout works without a build and never runs
// stale code. An installed package has the bundles and no tsx: it runs only the bundles.
// No node flags are set from here: V8 sizes its heap when node starts, so
// v8.setFlagsFromString("--max-semi-space-size=1") now changes nothing (measured), and re-running
// node with the flag would keep this process (≈ 44 MiB resident) alive beside the agent. The
// chart, the image and the Nix wrapper set NODE_OPTIONS instead (BENCHMARKS.md, "Memory").
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bundle = `${root}dist/fluxlight.mjs`;

function bundleIsFresh() {
  let built;
  try {
    built = Math.min(statSync(bundle).mtimeMs, statSync(`${root}dist/fluxlight-demo.mjs`).mtimeMs);
  } catch {
    return false;
  }
  let inputs = [];
  try {
    inputs = JSON.parse(readFileSync(`${root}dist/fluxlight.inputs.json`, "utf8"));
  } catch {
    return true; // bundles shipped without their input list (the npm package): they are all there is
  }
  for (const input of inputs) {
    try {
      if (statSync(root + input).mtimeMs > built) return false;
    } catch {
      // the sources are not shipped (an image with only dist/): the bundle is all there is
    }
  }
  return true;
}

if (bundleIsFresh()) {
  await import(bundle);
} else {
  let register;
  try {
    ({ register } = await import("tsx/esm/api"));
  } catch {
    process.stderr.write(`fluxlight: ${bundle} is missing or older than the sources, and tsx (a dev dependency) is not installed to run them: run \`npm run build\` in the checkout\n`);
    process.exit(2);
  }
  register();
  await import("../cli/main.ts");
}
