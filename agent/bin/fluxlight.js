#!/usr/bin/env node
// The package's command. It runs the production bundle, dist/fluxlight.mjs (`npm run build`),
// when there is one and it is not older than the sources it was built from; otherwise the
// TypeScript sources through tsx, so a checkout works without a build and never runs stale code.
// The demo always runs from the sources (the bundle leaves the simulators out).
// No node flags are set from here: V8 sizes its heap when node starts, so
// v8.setFlagsFromString("--max-semi-space-size=1") now changes nothing (measured), and re-running
// node with the flag would keep this process (≈ 44 MiB resident) alive beside the agent. The
// chart, the image and the Nix wrapper set NODE_OPTIONS instead (BENCHMARKS.md, "Memory").
import { existsSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bundle = `${root}dist/fluxlight.mjs`;

function bundleIsFresh() {
  let built;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  let inputs = [];
  try {
    inputs = JSON.parse(readFileSync(`${root}dist/fluxlight.inputs.json`, "utf8"));
  } catch {
    return true; // a bundle shipped without its input list: nothing to compare against
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

const wantsSource = process.argv[2] === "demo" && existsSync(`${root}agent/demo/demo.ts`);
if (!wantsSource && bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../cli/main.ts");
}
