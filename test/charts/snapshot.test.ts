// The default synth and a two-light, two-cluster one, byte for byte, and `npm run synth`'s entry
// point with an injected image.
// After an intended change: UPDATE_SNAPSHOTS=1 node --import tsx --test test/charts/snapshot.test.ts
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { FluxLightProps } from "../../charts/lib/props.ts";
import { render } from "./render.ts";

const SNAPSHOT = new URL("./snapshots/fluxlight.k8s.yaml", import.meta.url);
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** README's deployment example: two lights, the home cluster and staging (its kubeconfig a Secret). */
const TWO_LIGHTS_TWO_CLUSTERS: FluxLightProps = {
  node: "shelf",
  lights: [
    { name: "home", led: "rgb:9,10,11", clusters: ["in-cluster"] },
    { name: "staging", led: "traffic:2,3,4", clusters: ["staging"] },
  ],
  remoteKubeconfig: { secretName: "fluxlight-remote" },
};

function matches(text: string | undefined, snapshot: URL): void {
  assert.ok(text);
  if (process.env.UPDATE_SNAPSHOTS === "1") writeFileSync(snapshot, text);
  assert.equal(text, readFileSync(snapshot, "utf8"));
}

describe("default synth", () => {
  const text = render().text["fluxlight.k8s.yaml"];

  it("matches the committed snapshot", () => matches(text, SNAPSHOT));

  it("is what charts/app.ts writes, with the image the Nix build injects", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxlight-app-"));
    try {
      const image = "nix:0/nix/store/00000000000000000000000000000000-nix-image-fluxlight.tar";
      execFileSync(process.execPath, ["--import", "tsx", "charts/app.ts"], {
        cwd: ROOT,
        env: { ...process.env, CDK8S_OUTDIR: dir, FLUXLIGHT_IMAGE: image },
        stdio: "pipe",
      });
      const written = readFileSync(join(dir, "fluxlight.k8s.yaml"), "utf8");
      assert.equal(written, readFileSync(SNAPSHOT, "utf8").replace("image: fluxlight:0.1.0", `image: ${image}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("two lights over two clusters", () => {
  it("matches the committed snapshot", () => matches(render(TWO_LIGHTS_TWO_CLUSTERS).text["fluxlight.k8s.yaml"], new URL("./snapshots/fluxlight-lights.k8s.yaml", import.meta.url)));
});
