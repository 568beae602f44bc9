// Issue 6: bad configuration. Every flag of `fluxlight help` given a bad value — and its
// environment twin given the same — makes the real command exit 2 with one stderr line that
// names the flag (or the variable) it came from.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envName, usage } from "../../agent/cli/config.ts";
import { writeKubeconfig } from "../../agent/sim/apiserver/kubeconfig.ts";
import { runCli } from "../e2e/harness.ts";

interface Case {
  flag: string; // as usage() names it, without --
  value: string;
  says: RegExp;
  /** Other flags the case needs (a kubeconfig to read, say). */
  with?: string[];
  /** The env twin cannot express it (an empty variable counts as unset). */
  flagOnly?: boolean;
}


test("every flag with a bad value, and its environment twin, exits 2 with one line naming it", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-faults-config-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, "kubeconfig");
  writeKubeconfig(kubeconfig, { server: "http://127.0.0.1:1", token: "t" });
  // A port someone else holds, for --http.
  const squatter = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => squatter.once("listening", r));
  t.after(() => squatter.close());
  const busy = (squatter.address() as { port: number }).port;
  const runnable = ["--kubeconfig", kubeconfig, "--serial", join(dir, "no-such-tty"), "--log-level", "silent"];

  const cases: Case[] = [
    { flag: "config", value: join(dir, "lights.yaml"), says: /lights\.yaml does not exist$/ },
    { flag: "kubeconfig", value: join(dir, "missing"), says: /does not exist/ },
    { flag: "kubeconfig", value: "", says: /is empty/, flagOnly: true },
    { flag: "context", value: "prod", says: /no context "prod" in .* \(it has: fluxlight-sim\)/, with: ["--kubeconfig", kubeconfig] },
    { flag: "serial", value: " ", says: /is empty: expected a device path or auto/ },
    { flag: "led", value: "rgb:9,10", says: /needs three pins/ },
    { flag: "led", value: "single:42", says: /pin|42/ },
    { flag: "led", value: "traffic:5,6,5", says: /"traffic:5,6,5" uses pin 5 twice/ },
    { flag: "led", value: "traffic:0,3,4", says: /pin 0 is the serial line that carries Firmata/ },
    { flag: "led", value: "traffic:2,3,20", says: /pin 20 is not an Uno pin/ },
    { flag: "progress-grace", value: "soon", says: /soon/ },
    { flag: "stuck-after", value: "-5m", says: /-5m|negative/ },
    { flag: "stuck-after", value: "15s", says: /must be longer than --progress-grace \(20s\)/ },
    { flag: "heartbeat-timeout", value: "fast", says: /fast/ },
    { flag: "heartbeat-timeout", value: "500ms", says: /too short: use at least 1s, or 0 to disable/ },
    // The firmware's field holds 21 bits of ms: 35m would wrap to 2.8 s.
    { flag: "heartbeat-timeout", value: "35m", says: /35m is too long: the board holds at most 34m57\.151s: use 1s\.\.34m57\.151s, or 0 to disable/ },
    { flag: "usb-id", value: "2341", says: /is not VID:PID/ },
    { flag: "http", value: "localhost", says: /is not a listen address/ },
    { flag: "http", value: ":70000", says: /port 70000 is out of range/ },
    { flag: "http", value: `127.0.0.1:${busy}`, says: new RegExp(`cannot listen on 127.0.0.1:${busy}: .*EADDRINUSE`), with: runnable },
    { flag: "kinds", value: "Deployment", says: /"Deployment" is not a Flux kind/ },
    { flag: "kinds", value: ",", says: /needs at least one kind/ },
    { flag: "namespace", value: "Flux_System", says: /is not a namespace name/ },
    { flag: "flux-namespace", value: "Flux_System", says: /is not a namespace name/ },
    { flag: "api-probe-interval", value: "50ms", says: /50ms is too short/ },
    { flag: "selector", value: " ", says: /is empty: expected a label selector/ },
    { flag: "selector", value: "tier in (a", says: /"tier in \(a" is not a label selector/ },
    { flag: "output", value: "yaml", says: /"yaml" is not one of table, json/ },
    { flag: "log-level", value: "verbose", says: /"verbose" is not one of trace, debug/ },
    { flag: "log-format", value: "xml", says: /"xml" is not one of json, pretty/ },
    { flag: "story", value: "three-lights", says: /"three-lights" is not one of one-light, two-lights/ },
  ];

  // Every flag usage() shows is covered, so a new flag without a case fails here.
  const shown = [...usage().matchAll(/^ {2}--([a-z-]+) /gm)].map((m) => m[1]!);
  assert.ok(shown.length >= 15, `usage() lists the flags (${shown.join(", ")})`);
  assert.deepEqual(shown.filter((f) => !cases.some((c) => c.flag === f)), [], "every flag has a bad-value case");

  const runs: { name: string; args: string[]; env: Record<string, string>; names: string; says: RegExp }[] = [
    { name: "an unknown flag", args: ["run", "--colour", "red"], env: {}, names: "--colour", says: /unknown flag/ },
    { name: "a value missing at the end", args: ["run", "--led"], env: {}, names: "--led", says: /needs a value: --led SPEC/ },
    { name: "a value missing before the next flag", args: ["run", "--context", "--led", "single:13"], env: {}, names: "--context", says: /needs a value/ },
    { name: "no kubeconfig anywhere", args: ["run"], env: { HOME: dir }, names: "--kubeconfig", says: /no cluster configuration found/ },
    // The demo's story is the demo's: elsewhere it would be silently ignored.
    { name: "--story on run", args: ["run", "--story", "two-lights"], env: {}, names: "--story", says: /only the demo tells a story; describe your own lights in a lights file \(--config\)$/ },
    { name: "FLUXLIGHT_STORY on status", args: ["status"], env: { FLUXLIGHT_STORY: "one-light" }, names: "FLUXLIGHT_STORY", says: /only the demo tells a story/ },
    { name: "the two-light story with --led", args: ["demo", "--story", "two-lights", "--led", "single:13"], env: {}, names: "--led", says: /the two-light story wires its own LEDs \(rgb:9,10,11 and traffic:2,3,4\); drop it, or the story$/ },
  ];
  for (const c of cases) {
    const withArgs = c.with ?? [];
    runs.push({ name: `--${c.flag} ${JSON.stringify(c.value)}`, args: ["run", ...withArgs, `--${c.flag}`, c.value], env: { HOME: dir }, names: `--${c.flag}`, says: c.says });
    // The environment twin once per flag (each run is a process; under tsx those that read a kubeconfig load client-node, seconds on a busy machine).
    if (!c.flagOnly && !runs.some((r) => r.names === envName(c.flag))) runs.push({ name: `${envName(c.flag)}=${JSON.stringify(c.value)}`, args: ["run", ...withArgs], env: { HOME: dir, [envName(c.flag)]: c.value }, names: envName(c.flag), says: c.says });
  }

  const results = new Map<string, Awaited<ReturnType<typeof runCli>>>();
  const queue = [...runs];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) results.set(r.name, await runCli(r.args, r.env, 60_000));
    }),
  );
  const wrong: string[] = [];
  for (const r of runs) {
    const { code, stderr } = results.get(r.name)!;
    const lines = stderr.split("\n").filter(Boolean);
    const ok = code === 2 && lines.length === 1 && lines[0]!.startsWith(`fluxlight: ${r.names}: `) && r.says.test(lines[0]!);
    if (!ok) wrong.push(`${r.name}: exit ${code}, stderr ${JSON.stringify(stderr)}`);
  }
  assert.deepEqual(wrong, [], `${wrong.length} of ${runs.length} bad configurations were not refused as they should be`);
});
