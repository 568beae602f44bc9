// The production bundle (what the image and `npx fluxlight` run) is built and used like the
// sources: `status` against the local API server, and `run` lighting a board through a real pty.
// It is tree-shaken hard (client-node's unused API and models dropped), so it gets its own test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { board, spawnAgent, startBoardOnPty, startCluster, RGB } from "./harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

test("the bundle: status and run work as from the sources", async (t) => {
  // Inside the checkout, so that its external packages resolve from node_modules.
  const dir = mkdtempSync(join(ROOT, "dist-test-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync(process.execPath, [join(ROOT, "scripts/bundle.mjs"), "--outdir", relative(ROOT, dir)], { cwd: ROOT, stdio: "ignore" });
  const bundle = join(dir, "fluxlight.mjs");
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" }), kustomization({ name: "infra", ready: "False", reason: "BuildFailed", message: "oops" })]);
  t.after(() => cluster.stop());

  const status = spawn(process.execPath, [bundle, "status", "--kubeconfig", cluster.kubeconfig, "--output", "json"], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  status.stdout.on("data", (b: Buffer) => (out += b));
  const code = await new Promise<number | null>((r) => status.on("exit", r));
  assert.equal(code, 1, "exit 1: an object failed");
  const report = JSON.parse(out) as { signal: string; objects: { name: string; verdict: string }[] };
  assert.equal(report.signal, "failed");
  assert.deepEqual(report.objects.map((o) => `${o.name}=${o.verdict}`).sort(), ["apps=ready", "infra=failed"]);

  const { uno, pty } = await startBoardOnPty();
  t.after(async () => {
    await pty.close();
    uno.stop();
  });
  const { child, logs } = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", pty.path, "--led", "rgb:9,10,11", "--http", "off"], {}, bundle);
  t.after(() => child.kill("SIGKILL"));
  await logs.waitFor((l) => l.event === "board-connected", 45_000, "board-connected");
  await board(uno, RGB).waitForLed("red", 10_000);
  await logs.waitFor((l) => l.event === "deadman-armed", 5000, "the dead-man's switch");
});
