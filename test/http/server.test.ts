// The agent's HTTP endpoints against a fake snapshot: probes answer from what the snapshot says
// at request time, and /metrics is read back through a parser of the text format.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import type { AgentSnapshot } from "../../agent/agent.ts";
import type { Signal } from "../../agent/model.ts";
import { startHttp, type HttpServer } from "../../agent/http/server.ts";
import { SIGNALS } from "../../agent/http/metrics.ts";
import { parseExposition, valueOf } from "./exposition.ts";

const errors: string[] = [];
const log = {
  info() {},
  warn() {},
  error(_fields: unknown, msg: string) {
    errors.push(msg);
  },
} as unknown as Parameters<typeof startHttp>[2];

const L0 = { light: "lights[0]" };

/** The one light's signal and last transition (the snapshot's `lights[0]`), or the snapshot's other fields. */
type Over = Partial<Omit<AgentSnapshot, "lights">> & { signal?: Signal; lastTransitionAt?: number; lights?: AgentSnapshot["lights"] };

function snapshotWith(over: Over = {}): AgentSnapshot {
  const { signal, lastTransitionAt, ...rest } = { signal: "starting" as Signal | undefined, lastTransitionAt: 1_000 as number | undefined, ...over };
  return {
    lights: [{ name: "lights[0]", signal, lastTransitionAt }],
    objects: [],
    board: { state: "searching", connected: false },
    watching: false,
    watchRestarts: 0,
    events: 0,
    ...rest,
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function fetchPath(port: number, path: string, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("HTTP endpoints", () => {
  let snap = snapshotWith();
  let clock = 61_000;
  let server: HttpServer;
  before(async () => {
    server = await startHttp({ host: "127.0.0.1", port: 0 }, () => snap, log, { now: () => clock });
  });
  after(() => server.close());

  test("listens on the port the OS chose", () => {
    assert.ok(server.port > 0);
  });

  test("/healthz answers ok whatever the cluster and board are doing", async () => {
    const r = await fetchPath(server.port, "/healthz");
    assert.equal(r.status, 200);
    assert.equal(r.body.trim(), "ok");
  });

  test("/readyz is 503 until the watch is established, then 200; the board is reported, not required", async () => {
    snap = snapshotWith({ watching: false });
    const before = await fetchPath(server.port, "/readyz");
    assert.equal(before.status, 503);
    assert.match(String(before.headers["content-type"]), /application\/json/);
    assert.deepEqual(JSON.parse(before.body), {
      watching: false,
      board: { state: "searching", connected: false, path: null, firmware: null },
      signal: "starting",
      lights: { "lights[0]": "starting" },
    });

    snap = snapshotWith({ watching: true, signal: "ok", board: { state: "searching", connected: false } });
    const after = await fetchPath(server.port, "/readyz");
    assert.equal(after.status, 200, "a missing board must not make the agent unready");
    assert.equal(JSON.parse(after.body).watching, true);

    snap = snapshotWith({ watching: true, signal: "failed", board: { state: "connected", connected: true, path: "/dev/ttyACM0", firmware: "fluxlight 1.0" } });
    const connected = JSON.parse((await fetchPath(server.port, "/readyz")).body);
    assert.deepEqual(connected.board, { state: "connected", connected: true, path: "/dev/ttyACM0", firmware: "fluxlight 1.0" });
    assert.equal(connected.signal, "failed");
  });

  test("/metrics carries every figure from the snapshot at scrape time", async () => {
    clock = 61_000;
    snap = snapshotWith({
      signal: "failed",
      lastTransitionAt: 1_000,
      objects: [
        { kind: "Kustomization", verdict: "ready", count: 3 },
        { kind: "Kustomization", verdict: "failed", count: 1 },
        { kind: "Bucket", verdict: "ready", count: 1 },
      ],
      board: { state: "connected", connected: true, path: "/dev/ttyACM0" },
      watching: true,
      watchRestarts: 4,
      events: 117,
    });
    const r = await fetchPath(server.port, "/metrics");
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(r.body);

    assert.equal(m.get("fluxlight_objects")?.type, "gauge");
    assert.equal(valueOf(m, "fluxlight_objects", { kind: "Kustomization", verdict: "ready" }), 3);
    assert.equal(valueOf(m, "fluxlight_objects", { kind: "Kustomization", verdict: "failed" }), 1);
    assert.equal(valueOf(m, "fluxlight_objects", { kind: "Bucket", verdict: "ready" }), 1);
    assert.equal(m.get("fluxlight_objects")?.samples.length, 3);

    assert.equal(m.get("fluxlight_signal")?.type, "gauge");
    assert.deepEqual(
      Object.fromEntries(m.get("fluxlight_signal")!.samples.map((s) => [s.labels.signal, s.value])),
      { starting: 0, unknown: 0, failed: 1, progressing: 0, ok: 0 },
    );
    assert.deepEqual(new Set(m.get("fluxlight_signal")!.samples.map((s) => s.labels.light)), new Set(["lights[0]"]), "the light is named");
    assert.equal(valueOf(m, "fluxlight_board_connected"), 1);
    assert.equal(m.get("fluxlight_watch_restarts_total")?.type, "counter");
    assert.equal(valueOf(m, "fluxlight_watch_restarts_total"), 4);
    assert.equal(m.get("fluxlight_events_total")?.type, "counter");
    assert.equal(valueOf(m, "fluxlight_events_total"), 117);
    assert.equal(valueOf(m, "fluxlight_seconds_since_transition", L0), 60);

    for (const name of ["fluxlight_objects", "fluxlight_signal", "fluxlight_board_connected", "fluxlight_watch_restarts_total", "fluxlight_events_total", "fluxlight_seconds_since_transition"]) {
      assert.ok((m.get(name)?.help ?? "").length > 20, `${name} has a HELP text a person can read`);
    }
    // Process metrics from prom-client's default collectors.
    assert.ok(m.has("process_cpu_user_seconds_total"));
    assert.ok(m.has("nodejs_eventloop_lag_seconds"));
  });

  test("/metrics follows the snapshot: the signal gauge moves, gone objects go, the clock runs", async () => {
    for (const signal of SIGNALS) {
      snap = snapshotWith({ signal, objects: [{ kind: "Bucket", verdict: "progressing", count: 2 }] });
      const m = parseExposition((await fetchPath(server.port, "/metrics")).body);
      for (const other of SIGNALS) assert.equal(valueOf(m, "fluxlight_signal", { ...L0, signal: other }), other === signal ? 1 : 0, `${other} while ${signal}`);
      assert.equal(valueOf(m, "fluxlight_objects", { kind: "Kustomization", verdict: "ready" }), undefined, "objects from an older snapshot are not kept");
      assert.equal(valueOf(m, "fluxlight_objects", { kind: "Bucket", verdict: "progressing" }), 2);
    }
    snap = snapshotWith({ signal: undefined, lastTransitionAt: undefined, board: { state: "searching", connected: false } });
    const m = parseExposition((await fetchPath(server.port, "/metrics")).body);
    for (const s of SIGNALS) assert.equal(valueOf(m, "fluxlight_signal", { ...L0, signal: s }), 0);
    assert.ok(Number.isNaN(valueOf(m, "fluxlight_seconds_since_transition", L0)), "no transition yet reads NaN, not 0");
    assert.equal(valueOf(m, "fluxlight_board_connected"), 0);

    snap = snapshotWith({ lastTransitionAt: 10_000 });
    clock = 12_500;
    assert.equal(valueOf(parseExposition((await fetchPath(server.port, "/metrics")).body), "fluxlight_seconds_since_transition", L0), 2.5);
  });

  test("several lights: one signal series and one transition clock per light, named; /readyz says each", async () => {
    clock = 31_000;
    snap = snapshotWith({ watching: true, lights: [{ name: "platform", signal: "ok", lastTransitionAt: 1_000 }, { name: "apps", signal: "failed", lastTransitionAt: 21_000 }] });
    const m = parseExposition((await fetchPath(server.port, "/metrics")).body);
    assert.equal(valueOf(m, "fluxlight_signal", { light: "platform", signal: "ok" }), 1);
    assert.equal(valueOf(m, "fluxlight_signal", { light: "platform", signal: "failed" }), 0);
    assert.equal(valueOf(m, "fluxlight_signal", { light: "apps", signal: "failed" }), 1);
    assert.equal(valueOf(m, "fluxlight_seconds_since_transition", { light: "platform" }), 30);
    assert.equal(valueOf(m, "fluxlight_seconds_since_transition", { light: "apps" }), 10);
    assert.deepEqual(JSON.parse((await fetchPath(server.port, "/readyz")).body).lights, { platform: "ok", apps: "failed" });
  });

  test("HEAD answers like GET without a body; other methods get 405; other paths 404", async () => {
    snap = snapshotWith({ watching: true });
    const head = await fetchPath(server.port, "/readyz", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    for (const method of ["POST", "PUT", "DELETE"]) {
      const r = await fetchPath(server.port, "/metrics", method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.allow, "GET, HEAD");
    }
    assert.equal((await fetchPath(server.port, "/")).status, 404);
    assert.equal((await fetchPath(server.port, "/metrics/extra")).status, 404);
    assert.equal((await fetchPath(server.port, "/healthz?verbose=1")).status, 200, "a query string does not change the path");
  });

  test("a snapshot that throws gives a 500 and a log line, and the server keeps serving", async () => {
    const broken = await startHttp({ host: "127.0.0.1", port: 0 }, () => {
      throw new Error("boom");
    }, log, { processMetrics: false });
    try {
      assert.equal((await fetchPath(broken.port, "/readyz")).status, 500);
      assert.equal((await fetchPath(broken.port, "/metrics")).status, 500);
      assert.equal((await fetchPath(broken.port, "/healthz")).status, 200);
      assert.ok(errors.some((e) => e.includes("boom")));
      // A fault repeated by every scrape is logged once a minute, not once a request.
      const before = errors.length;
      for (let i = 0; i < 20; i++) assert.equal((await fetchPath(broken.port, "/readyz")).status, 500);
      assert.equal(errors.length, before, "repeats within the minute are held back");
    } finally {
      await broken.close();
    }
  });

  test("two servers in one process keep their own registries", async () => {
    const other = await startHttp({ host: "127.0.0.1", port: 0 }, () => snapshotWith({ events: 5 }), log);
    try {
      snap = snapshotWith({ events: 9 });
      assert.equal(valueOf(parseExposition((await fetchPath(other.port, "/metrics")).body), "fluxlight_events_total"), 5);
      assert.equal(valueOf(parseExposition((await fetchPath(server.port, "/metrics")).body), "fluxlight_events_total"), 9);
    } finally {
      await other.close();
    }
  });
});
