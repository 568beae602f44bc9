// The command line and its environment twins → one Config, or one line saying what is wrong.
// Pure: argv and env are passed in. Every flag is one entry of FLAGS (name, env twin, default,
// parser, help); parsing and usage() are both driven from that table.
// Over 200 lines: the flag table, its value parsers and usage() are read together; split, a new
// flag would be added in three files.

import { formatDuration } from "../shared/duration.ts";
import { parseDuration, type Parsed } from "../shared/duration.ts";
import { DEFAULT_LED_SPEC, parseLedSpec, type LedSpec } from "../light/led-spec.ts";
import { FLUX_KINDS, findKind, notAKind, type WatchedKind } from "../source/kinds.ts";
import { MAX_HEARTBEAT_TIMEOUT_MS } from "../link/deadman.ts";
import { USB_ID_HEX, type UsbId } from "../link/ports.ts";
import { parseLabelSelector } from "../source/selector.ts";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpAddress {
  host?: string; // absent: every interface
  port: number;
}

export interface Config {
  /** The lights file (agent/cli/lights-file.ts); absent: one light from --led, --namespace, --selector, --kinds. */
  config?: string;
  kubeconfig?: string;
  /** Kubeconfig contexts, one cluster each (`in-cluster`: the pod's own service account); empty: the current context. */
  contexts: string[];
  /** A serial device path, or "auto" to find the board by USB id. */
  serial: string;
  led: LedSpec;
  progressGrace: number; // ms
  stuckAfter: number; // ms
  logLevel: LogLevel;
  logFormat: "json" | "pretty";
  heartbeatTimeout: number; // ms; 0 disables the firmware's dead-man's switch
  /** Extra USB ids to look for, besides the known Arduino ones; empty = only the known ones. */
  usbIds: UsbId[];
  http: HttpAddress | "off";
  /** Flux kinds to watch; undefined: every Flux kind the cluster serves. */
  kinds?: WatchedKind[];
  /** Namespaces to watch; empty: all. */
  namespaces: string[];
  /** A label selector every watched object must match. */
  selector?: string;
  /** `fluxlight status` output. */
  output: "table" | "json";
  /** Where the Flux controllers' Deployments and leader-election Leases live. */
  fluxNamespace: string;
  /** How often the API server is asked whether it still answers (also each ask's deadline), ms. */
  apiProbeInterval: number;
  /** `fluxlight demo` only: its story on one light, or on two lights of one board. */
  story: DemoStory;
}

export const DEMO_STORIES = ["one-light", "two-lights"] as const;
export type DemoStory = (typeof DEMO_STORIES)[number];

export const COMMANDS = {
  run: "watch Flux and drive the light",
  demo: "drive the light from a simulated cluster (no Kubernetes needed)",
  status: "print every Flux object's verdict and the signal the light would show, then exit",
  help: "print this help",
} as const;
export type Command = keyof typeof COMMANDS;

export type ConfigResult =
  /** `chosen`: the fields a flag or environment variable set (the rest are defaults). */
  | { ok: true; command: Command; config: Config; chosen: ReadonlySet<keyof Config> }
  /** `usage`: the caller should print usage() after the error (no command given). */
  | { ok: false; error: string; usage?: boolean };

interface Flag<K extends keyof Config = keyof Config> {
  name: string; // without the leading --
  key: K;
  env: string;
  /** Shown as `--name VALUE` in usage. */
  value: string;
  /** Text form of the default, parsed like any given value; undefined = unset. */
  default?: string;
  /** Repeatable flags collect every value; their env twin is a comma-separated list. */
  repeatable?: boolean;
  parse(text: string): Parsed<Config[K]>;
  help: string;
}

// One entry per flag. A flag given twice keeps the last value (as kubectl's flags do), except
// the repeatable ones.
const FLAGS: Flag[] = [
  flag({ name: "config", key: "config", value: "PATH", parse: nonEmpty("a file path"),
    help: "a YAML file describing several lights, each an LED and the objects it stands for (README: the lights file); replaces --led, --namespace, --selector and --kinds" }),
  flag({ name: "kubeconfig", key: "kubeconfig", value: "PATH", parse: nonEmpty("a file path"),
    help: "kubeconfig file (default: every file in $KUBECONFIG merged, else in-cluster config, else ~/.kube/config)" }),
  flag({ name: "context", key: "contexts", value: "NAME", repeatable: true, parse: parseContext,
    help: "kubeconfig context to watch; repeatable, comma-separated in the variable: one light over several clusters; in-cluster is the pod's own service account (default: the current-context)" }),
  flag({ name: "serial", key: "serial", value: "PATH", default: "auto", parse: nonEmpty("a device path or auto"),
    help: "serial device of the board, or auto to find it by USB id" }),
  flag({ name: "led", key: "led", value: "SPEC", default: DEFAULT_LED_SPEC, parse: parseLedSpec,
    help: "LED wiring: single:PIN, rgb:R,G,B (common cathode), rgb-anode:R,G,B or traffic:R,Y,G (red/yellow/green module); pins 2..19 or A0..A5" }),
  flag({ name: "progress-grace", key: "progressGrace", value: "DURATION", default: "20s", parse: parseDuration,
    help: "how long progressing (or a lost API connection) must last before the light shows it" }),
  flag({ name: "stuck-after", key: "stuckAfter", value: "DURATION", default: "10m", parse: parseDuration,
    help: "an object progressing this long counts as failed (Stuck)" }),
  flag({ name: "heartbeat-timeout", key: "heartbeatTimeout", value: "DURATION", default: "10s", parse: parseDuration,
    help: "the firmware shows host lost after this long without a byte from the agent; 0 disables" }),
  flag({ name: "usb-id", key: "usbIds", value: "VID:PID", repeatable: true, parse: parseUsbIds,
    help: "also look for this USB vendor:product id (4 hex digits each); repeatable, comma-separated in the variable" }),
  flag({ name: "http", key: "http", value: "ADDR", default: ":9090", parse: parseHttp,
    help: "listen address for /healthz, /readyz and /metrics: host:port, :port, or off" }),
  flag({ name: "kinds", key: "kinds", value: "KIND,...", parse: parseKinds,
    help: `Flux kinds to watch (default: every one the cluster serves of ${FLUX_KINDS.map((k) => k.kind).join(", ")})` }),
  flag({ name: "namespace", key: "namespaces", value: "NAME", repeatable: true, parse: parseNamespace,
    help: "watch only this namespace; repeatable, comma-separated in the variable (default: all namespaces)" }),
  flag({ name: "selector", key: "selector", value: "LABELS", parse: parseSelector,
    help: "watch only objects whose labels match, as kubectl -l takes it" }),
  flag({ name: "flux-namespace", key: "fluxNamespace", value: "NAME", default: "flux-system", parse: parseFluxNamespace,
    help: "namespace of the Flux controllers, whose Deployments and leader-election Leases say whether they run" }),
  flag({ name: "api-probe-interval", key: "apiProbeInterval", value: "DURATION", default: "10s", parse: parseDuration,
    help: "how often to check that the API server answers (GET /version), and how long an answer may take" }),
  flag({ name: "output", key: "output", value: "FORMAT", default: "table", parse: oneOf(["table", "json"] as const),
    help: "status output: table (as flux get all -A) or json" }),
  flag({ name: "log-level", key: "logLevel", value: "LEVEL", default: "info", parse: oneOf(LOG_LEVELS),
    help: `log level: ${LOG_LEVELS.join(", ")}` }),
  flag({ name: "log-format", key: "logFormat", value: "FORMAT", default: "json", parse: oneOf(["json", "pretty"] as const),
    help: "json (one line per event) or pretty (for a terminal)" }),
  flag({ name: "story", key: "story", value: "NAME", default: "one-light", parse: oneOf(DEMO_STORIES),
    help: "demo only: one-light, or two-lights (one board, two LEDs: platform rgb:9,10,11 and apps traffic:2,3,4)" }),
];

function parseContext(text: string): Parsed<string[]> {
  const name = nonEmpty("a context name")(text);
  return name.ok ? { ok: true, value: [name.value] } : name;
}

function parseKinds(text: string): Parsed<WatchedKind[]> {
  const kinds: WatchedKind[] = [];
  for (const name of text.split(",").map((n) => n.trim()).filter(Boolean)) {
    const kind = findKind(name);
    if (!kind) return { ok: false, error: notAKind(name) };
    if (!kinds.includes(kind)) kinds.push(kind);
  }
  if (kinds.length === 0) return { ok: false, error: "needs at least one kind, e.g. Kustomization,Bucket" };
  return { ok: true, value: kinds };
}

/** An RFC 1123 label, as Kubernetes requires of namespace names (the chart's `namespaces` use it too). */
export function isNamespaceName(text: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text);
}

function parseNamespace(text: string): Parsed<string[]> {
  return isNamespaceName(text)
    ? { ok: true, value: [text] }
    : { ok: false, error: `${JSON.stringify(text)} is not a namespace name (lowercase letters, digits and '-', at most 63)` };
}

/** A flag's environment twin: `--progress-grace` → `FLUXLIGHT_PROGRESS_GRACE`. */
export function envName(flagName: string): string {
  return `FLUXLIGHT_${flagName.toUpperCase().replaceAll("-", "_")}`;
}

function parseFluxNamespace(text: string): Parsed<string> {
  const parsed = parseNamespace(text);
  return parsed.ok ? { ok: true, value: parsed.value[0]! } : parsed;
}

function flag<K extends keyof Config>(f: Omit<Flag<K>, "env">): Flag {
  return { ...f, env: envName(f.name) } as unknown as Flag;
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  const given = new Map<Flag, string[]>();
  const positional: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : undefined;
    const def = FLAGS.find((f) => f.name === name);
    if (!def) return { ok: false, error: `${eq < 0 ? arg : arg.slice(0, eq)}: unknown flag (see fluxlight help)` };
    let value: string;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // A following flag is not a value: `--context --led x` is a forgotten value, not a context named --led.
      if (next === undefined || next.startsWith("--")) return { ok: false, error: `--${def.name}: needs a value: --${def.name} ${def.value}` };
      value = next;
      i++;
    }
    given.set(def, def.repeatable ? [...(given.get(def) ?? []), value] : [value]);
  }

  const [command, ...extra] = positional;
  if (help || command === "help") return { ok: true, command: "help", config: defaults(), chosen: new Set() };
  if (command === undefined) return { ok: false, error: `a command is needed: ${Object.keys(COMMANDS).join(", ")}`, usage: true };
  if (!(command in COMMANDS)) return { ok: false, error: `${JSON.stringify(command)}: unknown command: use ${Object.keys(COMMANDS).join(", ")}` };
  if (extra.length > 0) return { ok: false, error: `${JSON.stringify(extra[0])}: unexpected argument after ${command}` };

  const config: Partial<Record<keyof Config, unknown>> = {};
  const from = new Map<keyof Config, string>(); // which flag or env var set each field, for errors
  const chosen = new Set<keyof Config>();
  for (const def of FLAGS) {
    const r = resolveFlag(def, given.get(def), env[def.env]);
    if (!r.ok) return r;
    from.set(def.key, r.source);
    if (r.chosen) chosen.add(def.key);
    if (r.value !== undefined) config[def.key] = r.value;
  }

  const result = config as Config;
  const mixed = SINGLE_LIGHT.find((key) => chosen.has("config") && chosen.has(key));
  if (mixed) return { ok: false, error: `${from.get(mixed)}: cannot be combined with ${from.get("config")}: the lights file gives each light its own ${mixed === "namespaces" ? "namespaces" : mixed}; move it into the file, or drop ${from.get("config")}` };
  const cross = crossCheck(result, (key) => from.get(key)!);
  if (cross) return { ok: false, error: cross };
  return { ok: true, command: command as Command, config: result, chosen };
}

/** The flags that describe the one light when there is no lights file. */
const SINGLE_LIGHT = ["led", "namespaces", "selector", "kinds"] as const satisfies readonly (keyof Config)[];

/** One flag's value: from the command line, else its environment twin, else its default. */
function resolveFlag(def: Flag, flagged: string[] | undefined, twin: string | undefined): { ok: true; source: string; chosen: boolean; value: unknown } | { ok: false; error: string } {
  let texts: string[] | undefined;
  let source = `--${def.name}`;
  if (flagged) {
    texts = flagged;
  } else if (twin !== undefined && twin !== "") {
    // An empty variable counts as unset: templated manifests often leave `value: ""` behind.
    texts = def.repeatable ? twin.split(",").map((s) => s.trim()) : [twin];
    source = def.env;
  } else {
    texts = def.default === undefined ? undefined : [def.default];
  }
  const chosen = flagged !== undefined || source === def.env;
  if (texts === undefined) return { ok: true, source, chosen, value: def.repeatable ? [] : undefined };
  const values: unknown[] = [];
  for (const text of texts) {
    const parsed = def.parse(text);
    if (!parsed.ok) return { ok: false, error: `${source}: ${parsed.error}` };
    values.push(parsed.value);
  }
  return { ok: true, source, chosen, value: def.repeatable ? values.flat() : values[0] };
}

/** Rules between fields, named by whichever flag or env var set them. */
function crossCheck(c: Config, name: (key: keyof Config) => string): string | undefined {
  if (c.stuckAfter <= c.progressGrace) {
    return `${name("stuckAfter")}: ${formatDuration(c.stuckAfter)} must be longer than ${name("progressGrace")} (${formatDuration(c.progressGrace)}), or routine reconciles would read as Stuck`;
  }
  if (c.apiProbeInterval < 100) {
    return `${name("apiProbeInterval")}: ${formatDuration(c.apiProbeInterval)} is too short: use at least 100ms`;
  }
  if (c.heartbeatTimeout !== 0 && c.heartbeatTimeout < 1000) {
    return `${name("heartbeatTimeout")}: ${formatDuration(c.heartbeatTimeout)} is too short: use at least 1s, or 0 to disable`;
  }
  if (c.heartbeatTimeout > MAX_HEARTBEAT_TIMEOUT_MS) {
    // The firmware's field is 21 bits of ms: a longer timeout would wrap to a short one.
    return `${name("heartbeatTimeout")}: ${formatDuration(c.heartbeatTimeout)} is too long: the board holds at most ${formatDuration(MAX_HEARTBEAT_TIMEOUT_MS)}: use 1s..${formatDuration(MAX_HEARTBEAT_TIMEOUT_MS)}, or 0 to disable`;
  }
  return undefined;
}

/** The configuration with every default and nothing from the environment. */
export function defaults(): Config {
  const result = parseConfig(["run"], {});
  if (!result.ok) throw new Error(`fluxlight: the built-in defaults do not parse: ${result.error}`);
  return result.config;
}

export function usage(): string {
  const rows = FLAGS.map((f) => [`--${f.name} ${f.value}`, f.env, f.help + (f.default === undefined ? "" : ` (default ${f.default})`)] as const);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const commands = Object.entries(COMMANDS).map(([name, help]) => `  ${name.padEnd(8)}${help}`);
  return [
    "Usage: fluxlight <command> [flags]",
    "",
    "Commands:",
    ...commands,
    "",
    "Flags (--flag VALUE or --flag=VALUE; each also read from its environment variable, and a flag wins):",
    ...rows.map(([flagText, env, help]) => `  ${flagText.padEnd(w0)}  ${env.padEnd(w1)}  ${help}`),
    "",
  ].join("\n");
}

// --- value parsers -------------------------------------------------------------------------

function parseSelector(text: string): Parsed<string> {
  const parsed = parseLabelSelector(text);
  return parsed.ok ? { ok: true, value: text } : parsed;
}

function nonEmpty(what: string): (text: string) => Parsed<string> {
  return (text) => (text.trim() === "" ? { ok: false, error: `is empty: expected ${what}` } : { ok: true, value: text });
}

function oneOf<T extends string>(choices: readonly T[]): (text: string) => Parsed<T> {
  return (text) =>
    (choices as readonly string[]).includes(text)
      ? { ok: true, value: text as T }
      : { ok: false, error: `${JSON.stringify(text)} is not one of ${choices.join(", ")}` };
}

const VID_PID = new RegExp(`^(${USB_ID_HEX}):(${USB_ID_HEX})$`, "i");

function parseUsbIds(text: string): Parsed<UsbId[]> {
  const m = VID_PID.exec(text.trim());
  if (!m) return { ok: false, error: `${JSON.stringify(text)} is not VID:PID: use 4 hex digits each, e.g. 2341:0043` };
  return { ok: true, value: [{ vendorId: m[1]!.toLowerCase(), productId: m[2]!.toLowerCase() }] };
}

function parseHttp(text: string): Parsed<HttpAddress | "off"> {
  if (text === "off") return { ok: true, value: "off" };
  const bad = { ok: false as const, error: `${JSON.stringify(text)} is not a listen address: use host:port, :port or off` };
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text);
  if (!m) return bad;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return { ok: false, error: `${JSON.stringify(text)}: port ${port} is out of range: use 1..65535` };
  const host = m[1] ?? m[2];
  return { ok: true, value: host ? { host, port } : { port } };
}
