// Issue 12: nothing from outside can kill or stall the agent. Each test is one row of the issue's
// table — an input a broken proxy, a hostile tenant or a dripping server can produce — fed to the
// agent as it runs (the real `fluxlight` command where the row is about the process).
import { test } from "node:test";
import assert from "node:assert/strict";
import { helmRelease, kustomization } from "../../agent/sim/flux/objects.ts";
import { reconcileFailed } from "../../agent/sim/flux/controller.ts";
import { BOUNDS } from "../../agent/kube/client.ts";
import { spawnAgent, startCluster } from "../e2e/harness.ts";
import { startFaultRig, ks, fail, freePort, sleep, waitForBlueBlink, since, GRACE } from "./rig.ts";

/** Every shape a watch line can take that is not a well-formed event. */
const ODD_LINES = [
  "null",
  "[]",
  '[{"type":"ADDED"}]',
  '"ADDED"',
  "42",
  "true",
  "{}",
  '{"type":null,"object":{}}',
  '{"type":"ADDED"}',
  '{"type":"ADDED","object":null}',
  '{"type":"MODIFIED","object":"a string"}',
  '{"type":"DELETED","object":[1,2]}',
  '{"type":"MODIFIED","object":{"metadata":null}}',
  '{"type":"ADDED","object":{"metadata":{"name":7}}}',
  '{"type":"BOOKMARK"}',
  '{"type":"BOOKMARK","object":null}',
  '{"type":"BOOKMARK","object":{"metadata":null}}',
  '{"type":"BOOKMARK","object":{"kind":"Kustomization"}}',
  '{"type":"SOMETHING-NEW","object":{"metadata":{"name":"apps","namespace":"flux-system"}}}',
  '{"type":"\\u001b[31mred","object":{}}',
];

test("a watch line `null` (and every other odd shape) is skipped and logged; the real command goes on and still tells failures", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" }), kustomization({ name: "infra", ready: "True" })]);
  const port = await freePort();
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-no-such-board", "--http", `127.0.0.1:${port}`, "--progress-grace", "1s"]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 45_000, "the first ok");
  // ok comes from the lists; the watches open after them: /readyz says when every kind is watched.
  for (const until = Date.now() + 45_000; (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) !== 200; ) {
    assert.ok(Date.now() < until, "the agent never became ready (every kind listed and watched)");
    await sleep(100);
  }
  assert.ok(cluster.server.injectWatchText(ODD_LINES.map((l) => `${l}\n`).join("")) > 0, "watches were open");
  await sleep(500);
  assert.equal(agent.child.exitCode, null, `still running; stderr: ${agent.stderr()}`);
  assert.equal(agent.logs.lines.filter((l) => l.event === "fatal").length, 0);
  const skipped = agent.logs.events("watch-line-skipped");
  assert.ok(skipped.length >= 1, "the odd lines are logged");
  for (const kind of new Set(skipped.map((l) => l.kind))) {
    const n = skipped.filter((l) => l.kind === kind).length;
    assert.ok(n <= 3, `${kind}: ${n} lines for ${ODD_LINES.length} odd lines; each kind of fault is logged once a minute`);
  }

  // The stream still carries the news: a failure after the odd lines turns the light red.
  cluster.server.updateStatus({ kind: "Kustomization", namespace: "flux-system", name: "apps" }, reconcileFailed(cluster.server.get({ kind: "Kustomization", namespace: "flux-system", name: "apps" })!, "BuildFailed", "kustomize build failed"));
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "failed", 10_000, "the failed signal");
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.equal(agent.logs.lines.filter((l) => l.event === "watch-restart" && l.reason !== "Closed").length, 0, "the watch was not restarted for them");
});

test("a HelmRelease whose values hold 40,000 `{history: 1}` does not stall the real command: liveness answers, the change is seen", async (t) => {
  const values = { list: Array.from({ length: 40_000 }, () => ({ history: 1 })), nested: { notValues: Array.from({ length: 40_000 }, () => ({ history: 1, inventory: [1] })) } };
  const hostile = helmRelease({ name: "podinfo", ready: "True" });
  (hostile.spec as Record<string, unknown>).values = values;
  (hostile.spec as Record<string, unknown>).postRenderers = [{ kustomize: { patches: values.nested.notValues.map((h) => ({ patch: JSON.stringify(h), history: h.history })) } }];
  const cluster = await startCluster();
  cluster.server.createUnchecked(hostile);
  const port = await freePort();
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-no-such-board", "--http", `127.0.0.1:${port}`, "--progress-grace", "1s"]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  await agent.logs.waitFor((l) => l.event === "signal" && l.to === "ok", 45_000, "the first ok");
  const ref = { kind: "HelmRelease", namespace: "flux-system", name: "podinfo" };
  assert.ok(JSON.stringify(cluster.server.get(ref)).length > 1_000_000, "the object is over a megabyte");

  // The agent's own measure of its event loop (prom-client's, reset at each scrape): the kubelet's
  // liveness probe (the chart: 2 s timeout) fails when the loop is held that long. The probe is
  // not timed from here: this process builds the megabyte objects and would only time itself.
  const lagMax = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)![1]);
  };
  await lagMax();
  // Each event carries the whole object; a new failure reason is a new verdict line.
  for (const reason of ["UpgradeFailed", "RollbackFailed", "InstallFailed"]) {
    cluster.server.updateStatus(ref, reconcileFailed(cluster.server.get(ref)!, reason, `${reason}: the release failed`));
    await agent.logs.waitFor((l) => l.event === "verdict" && l.name === "podinfo" && l.reason === reason, 20_000, `the ${reason} verdict line`);
  }
  const worst = await lagMax();
  assert.ok(worst < 2, `the event loop was held ${worst.toFixed(1)} s: the liveness probe would fail`);
  assert.equal(agent.child.exitCode, null);
});

test("a watch body without a newline is cut at the bound and the kind relisted; memory stays bounded", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  let sent = 0;
  let hostile = true;
  const remove = rig.server.intercept((req, res, url) => {
    if (!hostile || url.searchParams.get("watch") !== "true" || !url.pathname.endsWith("/kustomizations")) return false;
    hostile = false; // one such watch
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    const chunk = "a".repeat(1024 * 1024);
    const pump = () => {
      while (!res.destroyed && sent < 256 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once("drain", pump);
      }
      res.end();
    };
    pump();
    return true;
  });
  t.after(remove);
  const rss0 = process.memoryUsage().rss;
  rig.server.dropWatches({ graceful: true });
  const line = await rig.logs.waitFor((l) => l.event === "watch-restart" && l.reason === "TooLarge", 30_000, "the too-large line");
  assert.match(String(line.msg), /longer than \d+ characters/);
  const grew = process.memoryUsage().rss - rss0;
  assert.ok(sent < 64 * 1024 * 1024, `the agent stopped reading early (${sent >> 20} MiB sent)`);
  assert.ok(grew < 128 * 1024 * 1024, `resident memory grew ${grew >> 20} MiB`);
  // Relisted and watching again: a failure shows.
  fail(rig.server, ks("apps"));
  await rig.waitForLed("red", 10_000);
});

test("a list that drips a byte at a time ends at the deadline: the API error is logged and the light goes unknown after the grace", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })], requestDeadlineMs: 2000, settings: { kinds: undefined } });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const drips: NodeJS.Timeout[] = [];
  const remove = rig.server.intercept((req, res, url) => {
    if (!url.pathname.endsWith("/kustomizations")) return false;
    res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
    // The watch expires (410): the agent must list again, and the list never finishes.
    if (url.searchParams.get("watch") === "true") return void res.end('{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}}\n'), true;
    res.write('{"apiVersion":"kustomize.toolkit.fluxcd.io/v1","items":[');
    const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(" ")), 200);
    drips.push(drip);
    return true;
  });
  t.after(() => {
    remove();
    for (const d of drips) clearInterval(d);
  });
  const mark = rig.logs.lines.length;
  rig.server.dropWatches({ graceful: true });
  const err = await rig.logs.waitFor((l) => l.event === "api-error" && l.during === "list" && /did not finish its answer within 2 s/.test(String(l.msg)), 20_000, "the deadline's api-error");
  assert.equal(err.kind, "Kustomization");
  await waitForBlueBlink(rig, 10_000 + GRACE);
  assert.ok(since(rig.logs, mark, (l) => l.event === "signal" && l.to === "unknown").length === 1);
  remove();
  await rig.waitForLed("green", 20_000);
  assert.ok(BOUNDS.requestDeadlineMs <= 60_000, "the default deadline keeps a dripping list within a minute");
});

test("--log-format pretty prints a condition message's C1 controls and bidi overrides escaped, never raw", async (t) => {
  const hostile = "build failed \u009b31mRED\u009b0m \u202eevil\u202c \u001b]0;owned\u0007 \u0085next";
  const cluster = await startCluster([kustomization({ name: "apps", ready: "False", reason: "BuildFailed", message: hostile })]);
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-no-such-board", "--http", "off", "--log-format", "pretty"]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  const line = await agent.logs.waitFor((l) => typeof l.raw === "string" && /RED/.test(l.raw as string), 45_000, "the pretty verdict line");
  const printed = agent.logs.raw.join("");
  // eslint-disable-next-line no-control-regex -- what must not reach the terminal
  assert.doesNotMatch(printed, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u, "no control or bidi character printed raw");
  assert.match(String(line.raw), /\\x9b31mRED\\x9b0m \\u\{202e\}evil\\u\{202c\} \\x1b\]0;owned\\x07 \\x85next/);
});

test("the chart's grant is all the agent needs: with `get` forbidden on every Flux kind it lists, watches and tells a failure", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  rig.server.forbid({ verb: "get" });
  rig.server.dropWatches({ graceful: true });
  await rig.waitForLed("green");
  fail(rig.server, ks("apps"));
  await rig.waitForLed("red", 10_000);
  assert.equal(rig.server.count({ verb: "get", status: 403 }), 0, "the agent never asked for a single object");
  assert.equal(rig.logs.events("api-error").length, 0);
});

test("ERROR events with any code and any object end that watch alone: it resumes, and the light still follows", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  const errors = [
    '{"type":"ERROR"}',
    '{"type":"ERROR","object":null}',
    '{"type":"ERROR","object":[1]}',
    '{"type":"ERROR","object":"gone"}',
    '{"type":"ERROR","object":{"code":"410"}}',
    '{"type":"ERROR","object":{"code":500,"message":"etcdserver: request timed out \\u009b31m"}}',
    '{"type":"ERROR","object":{"code":1e999}}',
  ];
  for (const line of errors) {
    rig.server.injectWatchText(`${line}\n`);
    await sleep(150);
  }
  fail(rig.server, ks("apps"));
  await rig.waitForLed("red", 15_000);
  assert.ok(rig.logs.events("watch-error").length >= 1, "the error events are logged");
  for (const l of rig.raw) assert.doesNotMatch(l, /\u009b/, "escaped in the log");
});

test("every connection to the API server has TCP keep-alive on, so the kernel finds a half-open one", async (t) => {
  const rig = await startFaultRig({ objects: [kustomization({ name: "apps", ready: "True" })] });
  t.after(() => rig.stop());
  await rig.waitForLed("green");
  await sleep(300);
  const { execFileSync } = await import("node:child_process");
  // The client's side of each connection: source port is ours, destination the API server's.
  const lines = execFileSync("ss", ["-tnoH", "state", "established", `( dport = :${rig.server.port} )`], { encoding: "utf8" }).split("\n").filter(Boolean);
  assert.ok(lines.length >= 1, "connections are open (the watches)");
  for (const l of lines) assert.match(l, /timer:\(keepalive,/, l);
});
