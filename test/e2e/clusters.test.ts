// Issue 15, item 2: one light over several clusters. The real `fluxlight run` command with
// `--context home --context away` (one kubeconfig, two contexts, two simulated API servers), its
// firmware on the emulated Uno behind a socat pty, an RGB LED on 9, 10, 11; the LED read off the
// chip. Both clusters hold a Kustomization flux-system/apps: two objects, not one. A failure in
// either is red; a cluster gone silent turns green into unknown after the grace (never green on a
// cluster nobody can see), while a failure in the cluster still seen stays red; healed, green.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { kubeconfigYaml } from "../../agent/sim/apiserver/kubeconfig.ts";
import { FluxRuntime } from "../../agent/sim/flux/runtime.ts";
import { runCli, startCluster, startRunOnPty, type ClusterRig } from "./harness.ts";
import { fail, ks, succeed } from "../faults/rig.ts";

const GRACE = "2s";

/** One kubeconfig holding a context per simulated cluster, named as given. */
function kubeconfigOf(dir: string, clusters: Record<string, ClusterRig>): string {
  const docs = Object.entries(clusters).map(([context, c]) => parse(kubeconfigYaml({ server: c.server.url, token: "fluxlight-sim-token", context })) as Record<string, unknown[]>);
  const path = join(dir, "two-contexts.yaml");
  const all = (key: string) => docs.flatMap((d) => d[key]!);
  writeFileSync(path, stringify({ apiVersion: "v1", kind: "Config", clusters: all("clusters"), users: all("users"), contexts: all("contexts"), "current-context": "home" }), { mode: 0o600 });
  return path;
}

test("one light over two contexts: red on a failure in either; unknown when one goes silent (red still for the other's failure); green when it answers again", { timeout: 240_000 }, async (t) => {
  const home = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const away = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const flux = new FluxRuntime(away.server, { renewEveryMs: 300, leaseDurationSeconds: 2 }).start();
  const kubeconfig = kubeconfigOf(home.dir, { home, away });
  const { agent, led } = await startRunOnPty(t, home, ["--context", "home", "--context", "away", "--led", "rgb:9,10,11", "--http", "off", "--progress-grace", GRACE, "--api-probe-interval", "1s", "--log-level", "debug"], {
    kubeconfig,
    alsoStop: async () => {
      flux.stop();
      await away.stop();
    },
  });
  const signalSince = (from: number, to: string, what: string) => agent.logs.waitFor((l) => agent.logs.lines.indexOf(l) >= from && l.event === "signal" && l.to === to, 30_000, what);

  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 60_000, "the first green");
  await led.waitForLed("green", 10_000, 300);
  const start = agent.logs.events("start")[0]!;
  assert.deepEqual((start.clusters as { context: string }[]).map((c) => c.context), ["home", "away"], "the start line names each cluster");
  assert.deepEqual(agent.logs.events("listed").map((l) => [l.cluster, l.kind, l.objects]).filter((l) => l[1] === "Kustomization").sort(), [["away", "Kustomization", 1], ["home", "Kustomization", 1]], "each cluster lists its own apps");

  // A failure in either cluster turns the light red, and the log names the cluster.
  for (const [name, rig] of [["away", away], ["home", home]] as const) {
    let mark = agent.logs.lines.length;
    fail(rig.server, ks("apps"));
    await led.waitForLed("red", 15_000, 300);
    const verdict = await agent.logs.waitFor((l) => agent.logs.lines.indexOf(l) >= mark && l.event === "verdict" && l.verdict === "failed", 5000, `${name}'s verdict line`);
    assert.equal(verdict.cluster, name);
    assert.match(String(verdict.msg), new RegExp(`^Kustomization flux-system/apps in cluster ${name} is failed: BuildFailed`));
    assert.match(String((await signalSince(mark, "failed", "the failed line")).msg), new RegExp(`apps in cluster ${name} BuildFailed`));
    mark = agent.logs.lines.length;
    succeed(rig.server, ks("apps"));
    await led.waitForLed("green", 15_000, 300);
  }

  // away goes silent (a partition): unknown after the grace, never green, and the line names it.
  let mark = agent.logs.lines.length;
  away.server.silence();
  const silent = await agent.logs.waitFor((l) => l.event === "api-silent", 30_000, "api-silent");
  assert.equal(silent.cluster, "away");
  const unknown = await signalSince(mark, "unknown", "the unknown line");
  assert.match(String(unknown.msg), /cluster away: API unreachable for \d+(\.\d+)?s: no answer from 127\.0\.0\.1:\d+/);
  await led.waitForLed("blue", 5000, 100);
  const seen = new Set(await led.sample(2000));
  assert.deepEqual([...seen].filter((c) => c !== "blue" && c !== "off"), [], `blue blinking, never green, while away is silent: ${[...seen]}`);

  // A failure in home, the cluster still seen, is red all the same; fixed, back to unknown.
  mark = agent.logs.lines.length;
  fail(home.server, ks("apps"));
  await led.waitForLed("red", 15_000, 300);
  assert.match(String((await signalSince(mark, "failed", "red while away is silent")).msg), /1 of 1 object seen failed; cluster away: API unreachable/);
  succeed(home.server, ks("apps"), "rev-3");
  await led.waitForLed("blue", 15_000, 100);

  mark = agent.logs.lines.length;
  away.server.heal();
  const recovered = await agent.logs.waitFor((l) => l.event === "api-recovered" && l.server !== undefined, 15_000, "api-recovered");
  assert.equal(recovered.cluster, "away");
  await led.waitForLed("green", 15_000, 500);
  await signalSince(mark, "ok", "the green line");

  // away's kustomize-controller dies: red, and the message names the cluster.
  mark = agent.logs.lines.length;
  flux.kill("kustomize-controller");
  const down = await agent.logs.waitFor((l) => agent.logs.lines.indexOf(l) >= mark && l.event === "controller-down", 20_000, "controller-down");
  assert.match(String(down.msg), /^cluster away: kustomize-controller is not running/);
  await led.waitForLed("red", 20_000, 300);
  assert.match(String((await signalSince(mark, "failed", "the controller's failed line")).msg), /kustomize-controller of away not running/);
});

test("an unknown context among several: exit 2, naming it", async (t) => {
  const home = await startCluster();
  t.after(() => home.stop());
  const kubeconfig = kubeconfigOf(home.dir, { home });
  const r = await runCli(["run", "--kubeconfig", kubeconfig, "--context", "home", "--context", "staging", "--serial", "/dev/null", "--http", "off"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^fluxlight: --context: no context "staging" in .* \(it has: home\)\n$/);
  const env = await runCli(["run", "--kubeconfig", kubeconfig, "--serial", "/dev/null", "--http", "off"], { FLUXLIGHT_CONTEXT: "home,staging" });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /^fluxlight: FLUXLIGHT_CONTEXT: no context "staging"/);
});
