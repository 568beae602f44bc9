// The lights file (`--config PATH`): several lights, each an LED and the objects it stands for.
// Pure: the file's text in, the lights or ONE line naming the first field that is wrong and the
// fix (`lights[1].led: pin 13 is already used by lights[0]`). Every field is checked here, before
// anything starts; what only a board can say (does this board have PWM on pin 9?) is checked
// again against its capability report when it connects. The contexts a light names are checked
// once the kubeconfig is read (lightContexts). The shape:
//   lights:
//     - name: platform              # optional; default lights[0], lights[1], …
//       led: rgb:9,10,11            # any --led spec
//       namespaces: [infra]         # optional; default: all
//       selector: tier=platform     # optional, as kubectl -l
//       kinds: [Kustomization]      # optional; default: every watched kind
//       names: [flux-system/apps-*] # optional, namespace/name, * globs
//       clusters: [home]            # optional, context names; default: every context given
import { load } from "js-yaml";
import type { LightSettings } from "../lights.ts";
import { ledPins, parseLedSpec, UNO_PWM_PINS, type LedSpec } from "../light/led-spec.ts";
import { DEADMAN_MAX_PINS } from "../link/deadman.ts";
import { findKind, notAKind, type WatchedKind } from "../source/kinds.ts";
import { literalNamespace, parseNamePattern } from "../source/light-scope.ts";
import { parseLabelSelector } from "../source/selector.ts";
import type { Parsed } from "../shared/duration.ts";
import { isNamespaceName } from "./config.ts";

const FIELDS = ["name", "led", "namespaces", "selector", "kinds", "names", "clusters"] as const;
const EXAMPLE = "lights: [{led: single:13, namespaces: [apps]}]";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field that is wrong: its path in the file and what to do. */
class Bad extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** The file's text → its lights, or one sentence starting with the field that is wrong. */
export function parseLightsFile(text: string): Parsed<LightSettings[]> {
  let doc: unknown;
  try {
    // Nothing but comments and blank lines is an empty file, not a YAML error.
    doc = /\S/.test(text.replace(/#.*$/gm, "")) ? load(text) : undefined;
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number }; message: string };
    const where = e.mark ? `line ${e.mark.line + 1}, column ${e.mark.column + 1}: ` : "";
    return { ok: false, error: `${where}not YAML: ${e.reason ?? e.message.split("\n")[0]}` };
  }
  try {
    return { ok: true, value: lightsOf(doc) };
  } catch (err) {
    if (err instanceof Bad) return { ok: false, error: `${err.field}: ${err.message}` };
    throw err;
  }
}

function lightsOf(doc: unknown): LightSettings[] {
  if (doc === undefined || doc === null) throw new Bad("lights", `is missing: the file is empty; describe at least one light, e.g. ${EXAMPLE}`);
  if (!isObj(doc)) throw new Bad("lights", `is missing: the file must be a mapping with lights:, e.g. ${EXAMPLE}`);
  for (const key of Object.keys(doc)) if (key !== "lights") throw new Bad(key, "unknown field: the file holds only lights:");
  const list = doc.lights;
  if (list === undefined || list === null) throw new Bad("lights", `is missing: describe at least one light, e.g. ${EXAMPLE}`);
  if (!Array.isArray(list)) throw new Bad("lights", "must be a list of lights (each starting with -)");
  if (list.length === 0) throw new Bad("lights", `is empty: describe at least one light, e.g. ${EXAMPLE}`);
  const lights = list.map((entry: unknown, i) => light(entry, `lights[${i}]`));
  checkTogether(lights);
  return lights;
}

function light(entry: unknown, at: string): LightSettings {
  if (!isObj(entry)) throw new Bad(at, "must be a mapping with led: and the objects it stands for");
  for (const key of Object.keys(entry)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw new Bad(`${at}.${key}`, `unknown field: use ${FIELDS.join(", ")}`);
  }
  const name = entry.name === undefined ? at : lightName(entry.name, `${at}.name`);
  const led = ledOf(entry.led, `${at}.led`);
  const namespaces = list(entry.namespaces, `${at}.namespaces`, "[apps]", (ns, f) => (isNamespaceName(ns) ? ns : bad(f, `${JSON.stringify(ns)} is not a namespace name (lowercase letters, digits and '-', at most 63)`)));
  const selector = entry.selector === undefined ? undefined : selectorOf(entry.selector, `${at}.selector`);
  const kinds = entry.kinds === undefined ? undefined : kindsOf(entry.kinds, `${at}.kinds`);
  const names = list(entry.names, `${at}.names`, "[flux-system/apps-*]", (n, f) => {
    const parsed = parseNamePattern(n);
    return parsed.ok ? parsed.value : bad(f, parsed.error);
  });
  const clusters = list(entry.clusters, `${at}.clusters`, "[home]", (c) => c);
  names.forEach((pattern, i) => {
    const ns = literalNamespace(pattern);
    if (ns !== undefined && namespaces.length && !namespaces.includes(ns)) {
      bad(`${at}.names[${i}]`, `${pattern} is in namespace ${ns}, outside the light's namespaces (${namespaces.join(", ")}): it could never match; add ${ns} to namespaces or drop it`);
    }
  });
  return { name, led, namespaces, ...(selector === undefined ? {} : { selector }), ...(kinds === undefined ? {} : { kinds }), names, clusters };
}

function bad(field: string, message: string): never {
  throw new Bad(field, message);
}

function text(value: unknown, field: string, what: string): string {
  if (typeof value !== "string") bad(field, `must be ${what}${value === null ? " (it is empty)" : `, not ${Array.isArray(value) ? "a list" : typeof value}`}`);
  return value;
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function lightName(value: unknown, field: string): string {
  const name = text(value, field, "a name such as platform");
  if (!NAME.test(name)) bad(field, `${JSON.stringify(name)} is not a light name: use letters, digits, '-', '_' and '.', at most 63, e.g. platform`);
  return name;
}

function ledOf(value: unknown, field: string): LedSpec {
  if (value === undefined) bad(field, "is missing: give each light its wiring, e.g. led: single:13 (forms: single:PIN, rgb:R,G,B, rgb-anode:R,G,B, traffic:R,Y,G)");
  const parsed = parseLedSpec(text(value, field, "an LED wiring such as single:13 or rgb:9,10,11"));
  if (!parsed.ok) bad(field, parsed.error);
  const led = parsed.value;
  if (led.kind === "rgb") {
    // An Uno's (and a Nano's) PWM pins; the numbering the wiring takes is the Uno's. The board's
    // own capability report is checked again when it connects.
    const flat = Object.values(led.pins).find((pin) => !UNO_PWM_PINS.includes(pin));
    if (flat !== undefined) bad(field, `pin ${flat} has no PWM on an Uno or Nano, which an RGB LED needs: use PWM pins ${UNO_PWM_PINS.join(", ")}, or traffic:R,Y,G for plain on/off lamps`);
  }
  return led;
}

function selectorOf(value: unknown, field: string): string {
  const parsed = parseLabelSelector(text(value, field, "a label selector such as tier=platform"));
  if (!parsed.ok) bad(field, parsed.error);
  return parsed.value.text;
}

function kindsOf(value: unknown, field: string): WatchedKind[] {
  const kinds = list(value, field, "[Kustomization, HelmRelease]", (name, f) => findKind(name) ?? bad(f, notAKind(name)));
  if (kinds.length === 0) bad(field, "is empty: leave it out for every watched kind, or name some, e.g. [Kustomization]");
  return [...new Set(kinds)];
}

/** An optional list of strings, each checked by `item`; absent is empty, an empty list is refused (leave it out). */
function list<T>(value: unknown, field: string, example: string, item: (text: string, field: string) => T): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) bad(field, `must be a list, e.g. ${example}`);
  if (value.length === 0) bad(field, `is empty: leave it out to mean all, or list some, e.g. ${example}`);
  const out = value.map((v, i) => item(text(v, `${field}[${i}]`, "a string"), `${field}[${i}]`));
  return [...new Set(out)];
}

/** What holds between lights: unique names, each pin once, every pin within the dead-man's switch. */
function checkTogether(lights: LightSettings[]): void {
  const owner = new Map<number, number>();
  let pins = 0;
  lights.forEach((light, i) => {
    const at = `lights[${i}]`;
    const twin = lights.findIndex((l) => l.name === light.name);
    if (twin !== i) bad(`${at}.name`, `${JSON.stringify(light.name)} is already the name of lights[${twin}]: each light needs its own name`);
    for (const pin of ledPins(light.led)) {
      const other = owner.get(pin);
      if (other !== undefined) bad(`${at}.led`, `pin ${pin} is already used by ${describe(lights, other)}: each LED needs its own pins`);
      owner.set(pin, i);
    }
    pins += ledPins(light.led).length;
    if (pins > DEADMAN_MAX_PINS) {
      bad(`${at}.led`, `the lights need ${pins} pins so far, and the board's dead-man's switch holds ${DEADMAN_MAX_PINS} (firmware/README.md): every LED pin must be in it, so that no light keeps its colour when the agent dies; use fewer lights, or single:PIN LEDs (one pin each)`);
    }
  });
}

function describe(lights: LightSettings[], i: number): string {
  return lights[i]!.name === `lights[${i}]` ? `lights[${i}]` : `lights[${i}] (${lights[i]!.name})`;
}

/**
 * The contexts to watch: those given (--context), then those the lights name, each once (none at all:
 * the kubeconfig's current one). `problem(context)`: why one cannot be watched, named by the light's field.
 */
export function lightContexts(lights: readonly LightSettings[], given: readonly string[], problem: (context: string) => string | undefined): Parsed<string[]> {
  const contexts = [...given];
  for (const [i, light] of lights.entries()) {
    for (const [j, name] of light.clusters.entries()) {
      if (contexts.includes(name)) continue;
      const why = problem(name);
      if (why) return { ok: false, error: `lights[${i}].clusters[${j}]: ${why}` };
      contexts.push(name);
    }
  }
  return { ok: true, value: contexts };
}

const READ_ERRORS: Record<string, string> = { ENOENT: "does not exist", EACCES: "cannot be read (permission denied)", EISDIR: "is a directory, not a file" };

/** The file at `path`, read with `read` (node's readFileSync in the command), → its lights. */
export function readLightsFile(path: string, read: (path: string) => string): Parsed<LightSettings[]> {
  let body: string;
  try {
    body = read(path);
  } catch (err) {
    return { ok: false, error: `${path} ${READ_ERRORS[(err as NodeJS.ErrnoException).code ?? ""] ?? `cannot be read: ${(err as Error).message}`}` };
  }
  return parseLightsFile(body);
}

