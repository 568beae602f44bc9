import { test } from "node:test";
import assert from "node:assert/strict";
import { defaults, parseConfig, usage, type Config } from "../../agent/cli/config.ts";
import { findKind } from "../../agent/source/kinds.ts";

function ok(argv: string[], env: Record<string, string> = {}): Config {
  const r = parseConfig(argv, env);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.config;
}
function error(argv: string[], env: Record<string, string> = {}): string {
  const r = parseConfig(argv, env);
  assert.equal(r.ok, false, `${argv.join(" ")} should not parse`);
  return r.ok ? "" : r.error;
}

test("defaults", () => {
  assert.deepEqual(ok(["run"]), {
    serial: "auto",
    led: { kind: "single", pin: 13 },
    progressGrace: 20_000,
    stuckAfter: 600_000,
    heartbeatTimeout: 10_000,
    usbIds: [],
    contexts: [],
    http: { port: 9090 },
    logLevel: "info",
    logFormat: "json",
    namespaces: [],
    output: "table",
    fluxNamespace: "flux-system",
    apiProbeInterval: 10_000,
    story: "one-light",
  });
  assert.deepEqual(defaults(), ok(["run"]));
});

test("commands: run, demo, help; none is an error that wants usage", () => {
  assert.equal((parseConfig(["demo"], {}) as { command: string }).command, "demo");
  assert.equal((parseConfig(["help"], {}) as { command: string }).command, "help");
  assert.equal((parseConfig(["run", "--help"], {}) as { command: string }).command, "help");
  assert.equal((parseConfig(["-h"], {}) as { command: string }).command, "help");
  assert.deepEqual(parseConfig([], {}), { ok: false, error: "a command is needed: run, demo, status, help", usage: true });
  assert.deepEqual(parseConfig(["--led", "rgb:9,10,11"], {}), { ok: false, error: "a command is needed: run, demo, status, help", usage: true });
  assert.equal(error(["start"]), '"start": unknown command: use run, demo, status, help');
  assert.equal(error(["run", "now"]), '"now": unexpected argument after run');
});

test("every flag, both spellings, before or after the command", () => {
  const c = ok([
    "--kubeconfig", "/etc/k3s.yaml", "run", "--context=homelab", "--serial", "/dev/arduino",
    "--led=rgb-anode:9,10,11", "--progress-grace", "5s", "--stuck-after=15m", "--log-level", "debug",
    "--heartbeat-timeout", "0", "--usb-id", "2341:0043", "--usb-id=1A86:7523", "--http", "127.0.0.1:8080",
    "--log-format", "pretty", "--kinds", "kustomizations,Bucket", "--namespace", "flux-system", "--namespace=apps",
    "--selector", "tier=infra", "--output", "json", "--flux-namespace", "flux", "--api-probe-interval=2s",
    "--story", "two-lights",
  ]);
  assert.deepEqual(c, {
    kubeconfig: "/etc/k3s.yaml",
    contexts: ["homelab"],
    serial: "/dev/arduino",
    led: { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: true },
    progressGrace: 5000,
    stuckAfter: 900_000,
    logLevel: "debug",
    heartbeatTimeout: 0,
    usbIds: [{ vendorId: "2341", productId: "0043" }, { vendorId: "1a86", productId: "7523" }],
    http: { host: "127.0.0.1", port: 8080 },
    logFormat: "pretty",
    kinds: [findKind("Kustomization"), findKind("Bucket")],
    namespaces: ["flux-system", "apps"],
    selector: "tier=infra",
    output: "json",
    fluxNamespace: "flux",
    apiProbeInterval: 2000,
    story: "two-lights",
  });
});

test("--flux-namespace and --api-probe-interval: bad values name the field", () => {
  assert.equal(ok(["run"], { FLUXLIGHT_FLUX_NAMESPACE: "flux" }).fluxNamespace, "flux");
  assert.match(error(["run", "--flux-namespace", "Flux_System"]), /^--flux-namespace: "Flux_System" is not a namespace name/);
  assert.match(error(["run", "--api-probe-interval", "50ms"]), /^--api-probe-interval: 50ms is too short/);
  assert.match(error(["run"], { FLUXLIGHT_API_PROBE_INTERVAL: "soon" }), /^FLUXLIGHT_API_PROBE_INTERVAL: /);
});

test("environment twins, and a flag beats its twin", () => {
  const env = {
    FLUXLIGHT_PROGRESS_GRACE: "30s",
    FLUXLIGHT_LED: "rgb:3,5,6",
    FLUXLIGHT_USB_ID: "2341:0043, 2a03:0043",
    FLUXLIGHT_HTTP: "off",
    FLUXLIGHT_KUBECONFIG: "/k",
    FLUXLIGHT_LOG_LEVEL: "warn",
  };
  const c = ok(["run"], env);
  assert.equal(c.progressGrace, 30_000);
  assert.deepEqual(c.led, { kind: "rgb", pins: { red: 3, green: 5, blue: 6 }, anode: false });
  assert.deepEqual(c.usbIds.map((u) => u.vendorId), ["2341", "2a03"]);
  assert.equal(c.http, "off");
  assert.equal(c.kubeconfig, "/k");
  const f = ok(["run", "--progress-grace", "1s", "--led", "single:12", "--usb-id", "1a86:7523", "--log-level=error"], env);
  assert.equal(f.progressGrace, 1000);
  assert.deepEqual(f.led, { kind: "single", pin: 12 });
  assert.deepEqual(f.usbIds, [{ vendorId: "1a86", productId: "7523" }], "flags replace the twin's list");
  assert.equal(f.logLevel, "error");
  assert.equal(ok(["run"], { FLUXLIGHT_LED: "" }).led.kind, "single", "an empty variable is unset");
});

test("http addresses", () => {
  assert.deepEqual(ok(["run", "--http", ":80"]).http, { port: 80 });
  assert.deepEqual(ok(["run", "--http", "[::1]:9090"]).http, { host: "::1", port: 9090 });
  assert.deepEqual(ok(["run", "--http", "localhost:9090"]).http, { host: "localhost", port: 9090 });
});

test("a flag given twice keeps the last value", () => {
  assert.equal(ok(["run", "--serial", "/dev/a", "--serial", "/dev/b"]).serial, "/dev/b");
});

test("every bad value is one line naming the flag or variable, what is wrong and what is expected", () => {
  const cases: [string[], Record<string, string>, string | RegExp][] = [
    [["run", "--led", "rgb:9,10"], {}, '--led: "rgb:9,10" needs three pins: rgb:R,G,B, e.g. rgb:9,10,11'],
    [["run", "--led", "traffic:2,3,2"], {}, '--led: "traffic:2,3,2" uses pin 2 twice: each colour needs its own pin'],
    [["run", "--led", "traffic:1,3,4"], {}, '--led: "traffic:1,3,4": pin 1 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    [["run", "--led", "traffic:2,3,21"], {}, '--led: "traffic:2,3,21": pin 21 is not an Uno pin: use 2..19 or A0..A5'],
    [["run"], { FLUXLIGHT_LED: "single:0" }, 'FLUXLIGHT_LED: "single:0": pin 0 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    [["run", "--progress-grace=20"], {}, '--progress-grace: "20" has no unit: use e.g. 500ms, 20s, 10m or 1h30m'],
    [["run"], { FLUXLIGHT_STUCK_AFTER: "ten" }, /^FLUXLIGHT_STUCK_AFTER: "ten" is not a duration/],
    [["run", "--heartbeat-timeout", "soon"], {}, /^--heartbeat-timeout: "soon" is not a duration/],
    [["run", "--log-level", "verbose"], {}, '--log-level: "verbose" is not one of trace, debug, info, warn, error, fatal, silent'],
    [["run", "--log-format", "text"], {}, '--log-format: "text" is not one of json, pretty'],
    [["run", "--usb-id", "2341:43"], {}, '--usb-id: "2341:43" is not VID:PID: use 4 hex digits each, e.g. 2341:0043'],
    [["run"], { FLUXLIGHT_USB_ID: "2341:0043,nope" }, /^FLUXLIGHT_USB_ID: "nope" is not VID:PID/],
    [["run", "--http", "9090"], {}, '--http: "9090" is not a listen address: use host:port, :port or off'],
    [["run", "--http", ":70000"], {}, '--http: ":70000": port 70000 is out of range: use 1..65535'],
    [["run", "--serial="], {}, "--serial: is empty: expected a device path or auto"],
    [["run", "--kubeconfig", " "], {}, "--kubeconfig: is empty: expected a file path"],
    [["run", "--context", "--led", "single:3"], {}, "--context: needs a value: --context NAME"],
    [["run", "--led"], {}, "--led: needs a value: --led SPEC"],
    [["run", "--colour", "red"], {}, "--colour: unknown flag (see fluxlight help)"],
    [["run", "--colour=red"], {}, "--colour: unknown flag (see fluxlight help)"],
    [["run", "-v"], {}, "-v: unknown flag (see fluxlight help)"],
    // cross-field rules name whichever flag or variable set the value
    [["run", "--stuck-after", "10s"], {}, "--stuck-after: 10s must be longer than --progress-grace (20s), or routine reconciles would read as Stuck"],
    [["run"], { FLUXLIGHT_PROGRESS_GRACE: "15m" }, "--stuck-after: 10m must be longer than FLUXLIGHT_PROGRESS_GRACE (15m), or routine reconciles would read as Stuck"],
    [["run", "--heartbeat-timeout", "500ms"], {}, "--heartbeat-timeout: 500ms is too short: use at least 1s, or 0 to disable"],
    [["run"], { FLUXLIGHT_HEARTBEAT_TIMEOUT: "999ms" }, "FLUXLIGHT_HEARTBEAT_TIMEOUT: 999ms is too short: use at least 1s, or 0 to disable"],
    [["run", "--heartbeat-timeout", "35m"], {}, "--heartbeat-timeout: 35m is too long: the board holds at most 34m57.151s: use 1s..34m57.151s, or 0 to disable"],
  ];
  for (const [argv, env, expected] of cases) {
    const e = error(argv, env);
    assert.ok(!e.includes("\n"), "one line");
    if (typeof expected === "string") assert.equal(e, expected);
    else assert.match(e, expected);
  }
});

test("usage lists every flag with its env twin and default", () => {
  const text = usage();
  const flags: [string, string][] = [
    ["--kubeconfig PATH", "FLUXLIGHT_KUBECONFIG"], ["--context NAME", "FLUXLIGHT_CONTEXT"], ["--serial PATH", "FLUXLIGHT_SERIAL"],
    ["--led SPEC", "FLUXLIGHT_LED"], ["--progress-grace DURATION", "FLUXLIGHT_PROGRESS_GRACE"], ["--stuck-after DURATION", "FLUXLIGHT_STUCK_AFTER"],
    ["--log-level LEVEL", "FLUXLIGHT_LOG_LEVEL"], ["--heartbeat-timeout DURATION", "FLUXLIGHT_HEARTBEAT_TIMEOUT"],
    ["--usb-id VID:PID", "FLUXLIGHT_USB_ID"], ["--http ADDR", "FLUXLIGHT_HTTP"], ["--log-format FORMAT", "FLUXLIGHT_LOG_FORMAT"],
  ];
  for (const [flag, env] of flags) {
    const line = text.split("\n").find((l) => l.trimStart().startsWith(flag + " "));
    assert.ok(line, flag);
    assert.ok(line.includes(env), env);
  }
  assert.match(text, /default single:13/);
  assert.match(text, /default 20s/);
  assert.match(text, /^Usage: fluxlight <command> \[flags\]/);
});

test("--kinds and --namespace name what is wrong", () => {
  assert.equal(error(["run", "--kinds", "Kustomization,HelmChartz"]), '--kinds: "HelmChartz" is not a Flux kind fluxlight watches: use GitRepository, OCIRepository, Bucket, HelmRepository, HelmChart, Kustomization, HelmRelease');
  assert.equal(error(["run", "--kinds", ","]), "--kinds: needs at least one kind, e.g. Kustomization,Bucket");
  assert.equal(error(["run", "--namespace", "Flux_System"]), `--namespace: "Flux_System" is not a namespace name (lowercase letters, digits and '-', at most 63)`);
  assert.deepEqual(ok(["run"], { FLUXLIGHT_NAMESPACE: "a,b" }).namespaces, ["a", "b"]);
  // One light over several clusters: --context repeats, its twin is a list; the flag wins.
  assert.deepEqual(ok(["run", "--context", "home", "--context=in-cluster"]).contexts, ["home", "in-cluster"]);
  assert.deepEqual(ok(["run"], { FLUXLIGHT_CONTEXT: "home, away" }).contexts, ["home", "away"]);
  assert.deepEqual(ok(["run", "--context", "lab"], { FLUXLIGHT_CONTEXT: "home,away" }).contexts, ["lab"]);
  assert.equal(error(["status", "--output", "yaml"]).startsWith("--output: "), true);
});

test("chosen: the fields a flag or its twin set, not the defaults (the demo keeps its own defaults otherwise)", () => {
  const r = parseConfig(["demo", "--led", "single:13"], { FLUXLIGHT_PROGRESS_GRACE: "3s", FLUXLIGHT_CONTEXT: "" });
  assert.ok(r.ok);
  assert.deepEqual([...r.chosen].sort(), ["led", "progressGrace"]);
});

test("--config (or FLUXLIGHT_CONFIG) with a single-light flag or its twin: refused, naming both", () => {
  assert.equal(ok(["run", "--config", "/etc/fluxlight/lights.yaml", "--context", "home"]).config, "/etc/fluxlight/lights.yaml");
  assert.equal(ok(["run"], { FLUXLIGHT_CONFIG: "lights.yaml" }).config, "lights.yaml");
  assert.equal(error(["run", "--config", "l.yaml", "--led", "single:12"]), "--led: cannot be combined with --config: the lights file gives each light its own led; move it into the file, or drop --config");
  assert.equal(error(["run", "--namespace", "apps"], { FLUXLIGHT_CONFIG: "l.yaml" }), "--namespace: cannot be combined with FLUXLIGHT_CONFIG: the lights file gives each light its own namespaces; move it into the file, or drop FLUXLIGHT_CONFIG");
  assert.match(error(["run", "--config", "l.yaml"], { FLUXLIGHT_SELECTOR: "a=b" }), /^FLUXLIGHT_SELECTOR: cannot be combined with --config: .* its own selector/);
  assert.match(error(["run", "--config", "l.yaml", "--kinds", "Bucket"]), /^--kinds: cannot be combined with --config: .* its own kinds/);
  assert.equal(error(["run", "--config", ""]), "--config: is empty: expected a file path");
});

test("--selector is checked as kubectl -l reads it", () => {
  assert.equal(ok(["run", "--selector", "tier in (a,b),!legacy"]).selector, "tier in (a,b),!legacy");
  assert.match(error(["run", "--selector", "tier in (a"]), /^--selector: "tier in \(a" is not a label selector/);
});
