// The rig every end-to-end test stands on: the local API server with Flux objects, an emulated
// Uno running a real firmware image, and the agent between them over a serial port — either in
// this process (the serialport binding to the emulated board) or as the real `fluxlight` command
// in a child process on a socat pseudo-terminal. Assertions read the LED off the chip's pins.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { SerialPortStream } from "@serialport/stream";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { startAgent, type Agent, type AgentSettings } from "../../agent/agent.ts";
import { singleLight } from "../../agent/lights.ts";
import type { WatchedKind } from "../../agent/source/kinds.ts";
import { createLog } from "../../agent/log/logger.ts";
import type { SerialAccess, SerialPortLike } from "../../agent/link/ports.ts";
import { DEFAULT_LED_SPEC, parseLedSpec, type LedSpec } from "../../agent/light/led-spec.ts";
import { viewLed, type LedView } from "../../agent/demo/led-view.ts";
import { ApiServer, type ApiServerOptions } from "../../agent/sim/apiserver/server.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoBinding, type UnoDevice } from "../../agent/sim/uno/binding.ts";
import { UnoPty } from "../../agent/sim/uno/pty.ts";
import { STANDARD_FIRMATA } from "../sim/helpers.ts";
import { setTimeout as sleep } from "node:timers/promises";

export { STANDARD_FIRMATA };
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FLUXLIGHT_HEX = join(ROOT, "firmware/build/fluxlight.hex");
export const FLUXLIGHT_BIN = join(ROOT, "agent/bin/fluxlight.js");
if (!existsSync(FLUXLIGHT_HEX)) execFileSync("make", ["-s", "-C", join(ROOT, "firmware")], { stdio: "inherit" });

export const RGB: LedSpec = { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false };
export const PIN13: LedSpec = { kind: "single", pin: 13 };


/** The agent's JSON log lines, as a person would grep them. */
export class LogBook {
  readonly lines: Record<string, unknown>[] = [];
  /** Every line exactly as written (with its newline), for length and one-line checks. */
  readonly raw: string[] = [];
  add(text: string): void {
    for (const line of text.split(/(?<=\n)/)) if (line) this.raw.push(line);
    for (const line of text.split("\n").filter(Boolean)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      this.lines.push(typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { raw: line });
    }
  }
  events(event: string): Record<string, unknown>[] {
    return this.lines.filter((l) => l.event === event);
  }
  async waitFor(pred: (l: Record<string, unknown>) => boolean, timeoutMs = 10_000, what = "a log line"): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no ${what} within ${timeoutMs} ms; the log:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}`);
      await sleep(20);
    }
  }
  stream(): Writable {
    return new Writable({
      write: (chunk, _enc, done) => {
        this.add(String(chunk));
        done();
      },
    });
  }
}

export interface Board {
  uno: EmulatedUno;
  spec: LedSpec;
  led(): LedView;
  /** Resolves once the LED reads `name` (viewLed's colour words; single LEDs read on/off) and stays so for `steadyMs`. */
  waitForLed(name: string, timeoutMs?: number, steadyMs?: number): Promise<LedView>;
  /** Every colour the LED showed, sampled every 10 ms for `ms`. */
  sample(ms: number): Promise<string[]>;
}

export function board(uno: EmulatedUno, spec: LedSpec): Board {
  const led = () => viewLed(spec, (pin) => uno.pin(pin).duty);
  return {
    uno,
    spec,
    led,
    async waitForLed(name, timeoutMs = 10_000, steadyMs = 200) {
      const end = Date.now() + timeoutMs;
      let since: number | undefined;
      for (;;) {
        const now = led();
        if (now.name === name) {
          since ??= Date.now();
          if (Date.now() - since >= steadyMs) return now;
        } else since = undefined;
        if (Date.now() > end) throw new Error(`LED never showed ${name} steadily within ${timeoutMs} ms; it shows ${now.name} (${now.pins})`);
        await sleep(10);
      }
    },
    async sample(ms) {
      const seen: string[] = [];
      const end = Date.now() + ms;
      while (Date.now() < end) {
        seen.push(led().name);
        await sleep(10);
      }
      return seen;
    },
  };
}

export interface ClusterRig {
  server: ApiServer;
  kubeconfig: string;
  dir: string;
  stop(): Promise<void>;
}

/** A local API server holding `objects`, and a kubeconfig for it in a temporary folder. */
export async function startCluster(objects: JsonObject[] = [], o: ApiServerOptions = {}): Promise<ClusterRig> {
  const server = new ApiServer(o);
  await server.start();
  for (const obj of objects) server.create(obj);
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-e2e-"));
  const kubeconfig = join(dir, "kubeconfig");
  server.writeKubeconfig(kubeconfig);
  return {
    server,
    kubeconfig,
    dir,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface InProcessRig extends Board {
  cluster: ClusterRig;
  binding: UnoBinding;
  device: UnoDevice;
  agent: Agent;
  logs: LogBook;
  /** Fatal errors the agent reported (the command would have exited 2). */
  fatal: string[];
  /** Stops everything; throws if the agent reported a fatal error the test did not expect. */
  stop(): Promise<void>;
}

/** The agent's settings a test may set; the single-light flags' fields make the one light unless `lights` is given. */
export type RigSettings = Partial<AgentSettings> & { kinds?: WatchedKind[]; namespaces?: string[]; selector?: string };

export interface RigOptions {
  firmware?: string;
  /** The (first) light's LED, read by the rig's led(). */
  led?: LedSpec;
  objects?: JsonObject[];
  crds?: string[];
  settings?: RigSettings;
  /** Wrap the serial access (e.g. to put garbage on the line). */
  access?: (inner: SerialAccess) => SerialAccess;
  /** How often the agent looks for Flux kinds installed later. */
  rediscoverMs?: number;
  /** How long a list page may take in all. */
  requestDeadlineMs?: number;
  /** The test provokes a fatal error on purpose; otherwise one fails the test at stop(). */
  expectFatal?: boolean;
}

/** The agent in this process, on the in-process serial binding to the emulated board. */
export async function startInProcess(o: RigOptions = {}): Promise<InProcessRig> {
  const cluster = await startCluster(o.objects, { crds: o.crds });
  const uno = await EmulatedUno.load(o.firmware ?? FLUXLIGHT_HEX);
  uno.start();
  const binding = new UnoBinding();
  const device = binding.attach("/dev/ttyACM0", uno);
  const inner: SerialAccess = {
    open: (path) => new SerialPortStream({ binding, path, baudRate: 57600 }) as unknown as SerialPortLike,
    list: () => binding.list(),
  };
  const access = o.access ? o.access(inner) : inner;
  const logs = new LogBook();
  const spec = o.led ?? RGB;
  const fatal: string[] = [];
  const log = createLog({ level: "debug", format: "json", destination: logs.stream() });
  const { kinds, namespaces, selector, ...settings } = o.settings ?? {};
  const lights = settings.lights ?? [singleLight({ led: spec, namespaces: namespaces ?? [], selector, kinds })];
  const agent = startAgent(
    { serial: "auto", usbIds: [], progressGraceMs: 20_000, stuckAfterMs: 600_000, heartbeatTimeoutMs: 10_000, ...settings, lights },
    {
      cluster: loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}),
      access,
      log,
      rediscoverMs: o.rediscoverMs,
      requestDeadlineMs: o.requestDeadlineMs,
      // As the command does (cli/main.ts): a fatal line, then exit 2; here the test fails at stop().
      onFatal: (m) => {
        log.fatal({ event: "fatal", error: m }, m);
        fatal.push(m);
      },
    },
  );
  return {
    ...board(uno, spec),
    cluster,
    binding,
    device,
    agent,
    logs,
    fatal,
    async stop() {
      await agent.stop();
      uno.stop();
      await cluster.stop();
      if (fatal.length && !o.expectFatal) throw new Error(`the agent reported a fatal error: ${fatal.join("; ")}`);
    },
  };
}

/** The real `fluxlight` command in a child process, reading the board through a socat pty. */
export interface ProcessRig extends Board {
  pty: UnoPty;
  logs: LogBook;
  stderr: () => string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export async function startBoardOnPty(firmware = FLUXLIGHT_HEX): Promise<{ uno: EmulatedUno; pty: UnoPty }> {
  const uno = await EmulatedUno.load(firmware);
  uno.start();
  const pty = await UnoPty.create(uno);
  return { uno, pty };
}

export interface SpawnedAgent {
  child: ChildProcess;
  logs: LogBook;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** The `fluxlight` command (or `script`, e.g. a freshly built bundle) as a child process. */
export function spawnAgent(args: string[], env: Record<string, string> = {}, script = FLUXLIGHT_BIN): SpawnedAgent {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLUXLIGHT_") && k !== "KUBECONFIG"));
  const child = spawn(process.execPath, [script, ...args], { env: { ...clean, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logs = new LogBook();
  let err = "";
  let partial = "";
  child.stdout!.on("data", (b: Buffer) => {
    const text = partial + b.toString();
    const cut = text.lastIndexOf("\n");
    partial = text.slice(cut + 1);
    logs.add(text.slice(0, cut + 1));
  });
  child.stderr!.on("data", (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, logs, stderr: () => err, exited };
}

/**
 * `fluxlight run` as a person starts it, which most end-to-end tests stand on: the real command in
 * a child process against `cluster` (its kubeconfig, or `o.kubeconfig`), on fluxlight's firmware
 * on an emulated Uno behind a socat pty — `run --kubeconfig K --serial PTY` then `args`. The LED is
 * read as the `--led` in `args` says (the command's default without one). When the test ends:
 * the command killed, then `o.alsoStop` (what the test started beside it), the pty, the board,
 * the cluster.
 */
export async function startRunOnPty(
  t: { after(fn: () => unknown): void },
  cluster: ClusterRig,
  args: string[],
  o: { kubeconfig?: string; alsoStop?: () => unknown } = {},
): Promise<{ agent: SpawnedAgent; uno: EmulatedUno; pty: UnoPty; led: Board }> {
  const { uno, pty } = await startBoardOnPty();
  const agent = spawnAgent(["run", "--kubeconfig", o.kubeconfig ?? cluster.kubeconfig, "--serial", pty.path, ...args]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await o.alsoStop?.();
    await pty.close();
    uno.stop();
    await cluster.stop();
  });
  return { agent, uno, pty, led: board(uno, ledFlag(args)) };
}

/** The LED the `--led` flag in `args` names, as the command parses it. */
function ledFlag(args: string[]): LedSpec {
  const at = args.indexOf("--led");
  const parsed = parseLedSpec(at < 0 ? DEFAULT_LED_SPEC : (args[at + 1] ?? ""));
  if (!parsed.ok) throw new Error(`--led in ${args.join(" ")}: ${parsed.error}`);
  return parsed.value;
}

/** Runs `fluxlight ARGS` to the end: its exit code and what it printed. */
export async function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = spawnAgent(args, env);
  // "close", not "exit": the process may be gone before its last stderr bytes are read (a busy machine).
  const closed = new Promise<number | null>((resolve) => run.child.on("close", (code) => resolve(code)));
  const timer = setTimeout(() => run.child.kill("SIGKILL"), timeoutMs);
  const code = await closed;
  clearTimeout(timer);
  return { code, stdout: run.logs.lines.map((l) => ("raw" in l ? l.raw : JSON.stringify(l))).join("\n"), stderr: run.stderr() };
}
