// Shared pieces of the benchmark: the cluster, the emulated board on a serial port (in-process or
// on a socat pty), child processes and what /proc says about them, and statistics.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent as HttpAgent, get as httpGet } from "node:http";
import { createServer as createNetServer } from "node:net";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiServer } from "../../agent/sim/apiserver/server.ts";
import { startCluster as startTestCluster } from "../e2e/harness.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { EmulatedUno, type PinChange } from "../../agent/sim/uno/uno.ts";
import { UnoPty } from "../../agent/sim/uno/pty.ts";
import { setTimeout as sleep } from "node:timers/promises";
export { sleep };

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FLUXLIGHT_HEX = join(ROOT, "firmware/build/fluxlight.hex");
export const BUNDLE = join(ROOT, "dist/fluxlight.mjs");
/** BENCH_COMPARE_BUNDLE=PATH: another build's dist/fluxlight.mjs (in its own checkout, beside its node_modules), run in turn with this one by the throughput stage. */
export const COMPARE_BUNDLE = process.env.BENCH_COMPARE_BUNDLE;
export const NAIVE_BUNDLE = join(ROOT, "dist/bench-naive.mjs");
export const GC_HOOK = join(ROOT, "test/bench/gc-hook.mjs");


// ---- the cluster -----------------------------------------------------------------------------

/** The object whose status the latency run flips between Ready=True and Ready=False. */
export const FLIP = { kind: "Kustomization", namespace: "flux-system", name: "flip" };

/** n realistic Kustomizations (inventory of 50, managedFields), the first one being FLIP. */
export function realisticObjects(n: number, o: { failed?: number } = {}): JsonObject[] {
  const out: JsonObject[] = [kustomization({ name: FLIP.name, namespace: FLIP.namespace, ready: "True", inventoryEntries: 50, managedFields: true })];
  for (let i = 1; i < n; i++) {
    const failed = i <= (o.failed ?? 0);
    out.push(kustomization({ name: `app-${String(i).padStart(5, "0")}`, namespace: `team-${String(i % 40).padStart(2, "0")}`, ready: failed ? "False" : "True", reason: failed ? "BuildFailed" : undefined, inventoryEntries: 50, managedFields: true, wait: i % 3 === 0 }));
  }
  return out;
}

export interface Cluster {
  server: ApiServer;
  kubeconfig: string;
  size: number;
  stop(): Promise<void>;
}

/** The local API server serving only Kustomizations (what the naive baseline watches too). */
export async function startCluster(objects: JsonObject[]): Promise<Cluster> {
  const rig = await startTestCluster(objects, { crds: ["Kustomization"], maxHistory: 1000 });
  return { server: rig.server, kubeconfig: rig.kubeconfig, size: objects.length, stop: () => rig.stop() };
}

// ---- the board -------------------------------------------------------------------------------

export async function emulatedUno(): Promise<EmulatedUno> {
  const uno = await EmulatedUno.load(FLUXLIGHT_HEX);
  uno.start();
  return uno;
}

/** The next pin change matching `pred`, stamped with the wall time (performance.now) of the callback. */
export function nextPinChange(uno: EmulatedUno, pred: (c: PinChange) => boolean, timeoutMs = 5000): Promise<{ change: PinChange; wall: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (off(), reject(new Error(`no matching pin change within ${timeoutMs} ms`))), timeoutMs);
    const off = uno.onPinChange((change) => {
      if (!pred(change)) return;
      const wall = performance.now();
      clearTimeout(timer);
      off();
      resolve({ change, wall });
    });
  });
}

// ---- child processes ---------------------------------------------------------------------------

export type Variant = "bundle" | "bundle-semi" | "source" | "naive" | "compare";

export const VARIANT_LABEL: Record<Variant, string> = {
  bundle: "fluxlight (bundle)",
  "bundle-semi": "fluxlight (bundle, NODE_OPTIONS=--max-semi-space-size=1 as the chart and image set)",
  source: "fluxlight (tsx source)",
  naive: "naive informer",
  compare: `the bundle at BENCH_COMPARE_BUNDLE (${COMPARE_BUNDLE}), NODE_OPTIONS as bundle-semi`,
};

export interface Child {
  child: ChildProcess;
  pid: number;
  spawnedAt: number;
  /** JSON lines from stdout with the performance.now() they arrived at. */
  lines: { at: number; line: Record<string, unknown> }[];
  stderr(): string;
  waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<{ at: number; line: Record<string, unknown> }>;
  memory(): Promise<{ rssMiB: number; hwmMiB: number; heapUsedMiB: number; externalMiB: number; arrayBuffersMiB: number; spaces: Record<string, number> }>;
  stop(): Promise<void>;
}

/**
 * Start an agent variant as a child process on the serial device `serial`. `httpPort`: serve
 * its event count there (fluxlight's /metrics; the baseline's one-line counter), else no HTTP.
 */
export function spawnVariant(variant: Variant, kubeconfig: string, serial: string, led = "single:13", env: Record<string, string> = {}, o: { httpPort?: number } = {}): Child {
  // BENCH_CPU_PROFILE=DIR: every benchmarked child writes a V8 CPU profile there when it exits.
  const profile = process.env.BENCH_CPU_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROFILE] : [];
  const node = ["--expose-gc", "--import", GC_HOOK, ...profile];
  const args =
    variant === "bundle"
      ? [...node, BUNDLE, "run"]
      : variant === "bundle-semi"
        ? [...node, BUNDLE, "run"] // with NODE_OPTIONS below, exactly as the chart and the image set it
        : variant === "compare"
          ? [...node, COMPARE_BUNDLE ?? BUNDLE, "run"]
      : variant === "source"
          ? [...node, "--import", "tsx", join(ROOT, "agent/cli/main.ts"), "run"]
          : [...node, NAIVE_BUNDLE];
  const http = o.httpPort === undefined ? [] : variant === "naive" ? ["--metrics-port", String(o.httpPort)] : ["--http", `127.0.0.1:${o.httpPort}`];
  const flags = variant === "naive" ? ["--kubeconfig", kubeconfig, "--serial", serial, "--led", led, ...http] : ["--kubeconfig", kubeconfig, "--serial", serial, "--led", led, "--http", "off", "--log-level", "info", ...http];
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLUXLIGHT_") && k !== "KUBECONFIG" && k !== "NODE_OPTIONS"));
  const spawnedAt = performance.now();
  const semi = variant === "bundle-semi" || variant === "compare" ? { NODE_OPTIONS: "--max-semi-space-size=1" } : {};
  const child = spawn(process.execPath, [...args, ...flags], { cwd: ROOT, env: { ...clean, ...semi, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const lines: Child["lines"] = [];
  let partial = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => {
    const at = performance.now();
    const text = partial + b.toString();
    const parts = text.split("\n");
    partial = parts.pop()!;
    for (const p of parts) {
      try {
        lines.push({ at, line: JSON.parse(p) as Record<string, unknown> });
      } catch {
        lines.push({ at, line: { raw: p } });
      }
    }
  });
  const memWaiters: ((s: string) => void)[] = [];
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
    const m = /BENCH_MEMORY (.*)\n/.exec(err);
    if (m) {
      err = err.replace(m[0], "");
      for (const w of memWaiters.splice(0)) w(m[1]!);
    }
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    child,
    pid: child.pid!,
    spawnedAt,
    lines,
    stderr: () => err,
    async waitFor(pred, timeoutMs = 30_000) {
      const end = performance.now() + timeoutMs;
      for (;;) {
        const hit = lines.find((l) => pred(l.line));
        if (hit) return hit;
        if (child.exitCode !== null) throw new Error(`${variant} exited ${child.exitCode}: ${err}`);
        if (performance.now() > end) throw new Error(`${variant}: no matching line within ${timeoutMs} ms; stderr: ${err}; last lines: ${lines.slice(-5).map((l) => JSON.stringify(l.line)).join("\n")}`);
        await sleep(5);
      }
    },
    async memory() {
      const reply = new Promise<string>((resolve) => memWaiters.push(resolve));
      child.kill("SIGUSR2");
      const usage = JSON.parse(await reply) as { heapUsed: number; external: number; arrayBuffers: number; spaces: Record<string, number> };
      await sleep(300);
      const st = procStatus(child.pid!);
      const mib = (b: number) => b / 1048576;
      return { rssMiB: st.rssKiB / 1024, hwmMiB: st.hwmKiB / 1024, heapUsedMiB: mib(usage.heapUsed), externalMiB: mib(usage.external), arrayBuffersMiB: mib(usage.arrayBuffers), spaces: usage.spaces };
    },
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** A TCP port free right now on 127.0.0.1 (for a child's --http). */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// One kept-alive connection: a scrape every few ms must not cost the child a TCP handshake each.
const scraper = new HttpAgent({ keepAlive: true, maxSockets: 1 });

/** Watch events a child has processed: `fluxlight_events_total` from /metrics (the baseline: `naive_events_total`). */
export async function scrapeEvents(port: number): Promise<number> {
  try {
    return await scrapeOnce(port);
  } catch (e) {
    // The child closed the idle kept-alive socket just as it was reused: ask once more.
    if ((e as { code?: string }).code !== "ECONNRESET") throw e;
    return scrapeOnce(port);
  }
}

function scrapeOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: "127.0.0.1", port, path: "/metrics", agent: scraper }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        const m = /^(?:fluxlight|naive)_events_total(?:\{[^}]*\})? (\S+)$/m.exec(body);
        if (m) resolve(Number(m[1]));
        else reject(new Error(`no events_total in /metrics (HTTP ${res.statusCode})`));
      });
    });
    req.on("error", reject);
  });
}

/** A board on a socat pty for a child process. */
export async function boardOnPty(): Promise<{ uno: EmulatedUno; pty: UnoPty; stop(): Promise<void> }> {
  const uno = await emulatedUno();
  const pty = await UnoPty.create(uno);
  return {
    uno,
    pty,
    async stop() {
      await pty.close();
      uno.stop();
    },
  };
}

// ---- /proc ---------------------------------------------------------------------------------------

export const CLOCK_TICKS = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process, in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
}

export function procStatus(pid: number): { rssKiB: number; hwmKiB: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
  return { rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
}

export function machine(): { nproc: number; cpu: string; node: string; kernel: string } {
  const info = readFileSync("/proc/cpuinfo", "utf8");
  const cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1] ?? cpus()[0]?.model ?? "unknown";
  let kernel = "";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // not Linux
  }
  return { nproc: cpus().length, cpu, node: process.version, kernel };
}

// ---- statistics ----------------------------------------------------------------------------------

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

export function summarize(values: number[]): Summary {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, min: s[0] ?? NaN };
}

export function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
