// Issue 15, item 1: a bad lights file (--config, or FLUXLIGHT_CONFIG) makes the real command exit 2
// before anything starts, with one stderr line naming the field and the fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeKubeconfig } from "../../agent/sim/apiserver/kubeconfig.ts";
import { runCli } from "../e2e/harness.ts";

interface Case {
  name: string;
  /** The file's text; undefined: no file at that path. */
  file?: string;
  args?: string[];
  env?: Record<string, string>;
  /** The whole stderr line after `fluxlight: `. */
  says: RegExp;
}

test("each bad lights file exits 2 with one line naming the field", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-faults-lights-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, "kubeconfig");
  writeKubeconfig(kubeconfig, { server: "http://127.0.0.1:1", token: "t" });
  const cases: Case[] = [
    { name: "unknown field", file: "lights:\n  - led: single:13\n    colour: red\n", says: /^--config: lights\[0\]\.colour: unknown field: use name, led, namespaces, selector, kinds, names, clusters$/ },
    { name: "shared pin", file: "lights:\n  - led: rgb:9,10,11\n  - led: single:13\n  - led: traffic:2,3,13\n", says: /^--config: lights\[2\]\.led: pin 13 is already used by lights\[1\]: each LED needs its own pins$/ },
    { name: "RGB on a non-PWM pin", file: "lights:\n  - led: single:13\n  - led: rgb:2,10,11\n", says: /^--config: lights\[1\]\.led: pin 2 has no PWM on an Uno or Nano, which an RGB LED needs: use PWM pins 3, 5, 6, 9, 10, 11/ },
    { name: "empty lights", file: "lights: []\n", says: /^--config: lights: is empty: describe at least one light/ },
    { name: "more pins than the dead-man's switch holds", file: "lights:\n  - led: rgb:3,5,6\n  - led: rgb:9,10,11\n  - led: traffic:2,4,7\n", says: /^--config: lights\[2\]\.led: the lights need 9 pins so far, and the board's dead-man's switch holds 8/ },
    { name: "unknown context", file: "lights:\n  - led: single:13\n    clusters: [fluxlight-sim, home]\n", args: ["--kubeconfig", kubeconfig], says: /^--config: lights\[0\]\.clusters\[1\]: no context "home" in .*kubeconfig \(it has: fluxlight-sim\)$/ },
    { name: "in-cluster outside a pod", file: "lights:\n  - led: single:13\n    clusters: [in-cluster]\n", args: ["--kubeconfig", kubeconfig], says: /^--config: lights\[0\]\.clusters\[0\]: in-cluster is the pod's own service account, and there is none here/ },
    { name: "a bad selector", file: "lights:\n  - led: single:13\n    selector: tier in (a\n", says: /^--config: lights\[0\]\.selector: "tier in \(a" is not a label selector/ },
    { name: "not YAML", file: "lights:\n  - led: [\n", says: /^--config: line 3, column 1: not YAML: / },
    { name: "no such file", says: /^--config: .*lights\.yaml does not exist$/ },
    { name: "through FLUXLIGHT_CONFIG", file: "lights: {}\n", env: { FLUXLIGHT_CONFIG: "" }, says: /^FLUXLIGHT_CONFIG: lights: must be a list of lights/ },
    { name: "mixed with --led", file: "lights:\n  - led: single:13\n", args: ["--led", "single:12"], says: /^--led: cannot be combined with --config: the lights file gives each light its own led/ },
    { name: "mixed with FLUXLIGHT_NAMESPACE", file: "lights:\n  - led: single:13\n", env: { FLUXLIGHT_NAMESPACE: "apps" }, says: /^FLUXLIGHT_NAMESPACE: cannot be combined with --config: the lights file gives each light its own namespaces/ },
  ];
  const runs = cases.map((c, i) => {
    const file = c.file === undefined ? join(dir, "missing", "lights.yaml") : join(dir, `${i}.yaml`);
    if (c.file !== undefined) writeFileSync(file, c.file);
    const viaEnv = c.env?.FLUXLIGHT_CONFIG !== undefined;
    const env = { HOME: dir, ...c.env, ...(viaEnv ? { FLUXLIGHT_CONFIG: file } : {}) };
    const args = ["run", ...(viaEnv ? [] : ["--config", file]), ...(c.args ?? []), "--serial", join(dir, "no-such-tty"), "--log-level", "silent", "--http", "off"];
    return { c, args, env };
  });
  const results = new Map<string, Awaited<ReturnType<typeof runCli>>>();
  const queue = [...runs];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) results.set(r.c.name, await runCli(r.args, r.env, 60_000));
    }),
  );
  const wrong: string[] = [];
  for (const { c } of runs) {
    const { code, stderr } = results.get(c.name)!;
    const lines = stderr.split("\n").filter(Boolean);
    const ok = code === 2 && lines.length === 1 && lines[0]!.startsWith("fluxlight: ") && c.says.test(lines[0]!.slice("fluxlight: ".length));
    if (!ok) wrong.push(`${c.name}: exit ${code}, stderr ${JSON.stringify(stderr)}`);
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${runs.length} bad lights files were not refused as they should be`);
});
