// The projection of one Flux object into the few fields a verdict needs (docs/design.md, "source").
// Whatever the API server hands over, this never throws: an object whose shape a verdict
// cannot be drawn from comes back with `unreadable` set to one sentence saying what is wrong,
// which is logged and turns into verdict row 1.

import type { ConditionView, ObjectView } from "../model.ts";

/**
 * Longest message kept, in UTF-16 code units. The CRDs allow 32 KiB per condition message and
 * a hostile or broken server could send far more; one LED needs none of it beyond a log line.
 */
export const MESSAGE_LIMIT = 1024;

/** The Kubernetes condition statuses (the CRD's enum). */
const CONDITION_STATUSES = new Set(["True", "False", "Unknown"]);

type Fields = Record<string, unknown>;

/**
 * Keys project() never reads, at any depth of an object: the bulk of a Flux object's bytes
 * (server-side apply bookkeeping, the Kustomization inventory and history, HelmRelease values).
 * The source drops them before parsing (agent/kube/prune.ts); a test checks that the projection
 * of every kind is the same with and without them.
 */
export const UNREAD_FIELDS = ["managedFields", "inventory", "history", "values"] as const;

/** Thrown only inside this module, to stop at the first thing that cannot be read. */
class Unreadable extends Error {}

export function project(raw: unknown, kind?: string): ObjectView {
  // Identity is read first and kept even when the rest is unreadable, so the shell can still
  // key, log and later forget the object.
  const obj = isFields(raw) ? raw : undefined;
  const meta = obj && isFields(obj.metadata) ? obj.metadata : undefined;
  const labels = labelsOf(meta);
  const view: ObjectView = {
    // The watched kind wins: list items and watch events must key the object the same way.
    kind: kind ?? (typeof obj?.kind === "string" ? obj.kind : ""),
    namespace: typeof meta?.namespace === "string" ? meta.namespace : "",
    name: typeof meta?.name === "string" ? meta.name : "",
    ...(labels ? { labels } : {}),
    suspend: false,
    conditions: [],
  };
  try {
    if (!obj) throw new Unreadable(`the object is ${describe(raw)}, not an object`);
    read(obj, view);
    // Absent optional keys stay absent rather than present-but-undefined, so views compare cleanly.
    if (view.generation === undefined) delete view.generation;
    if (view.observedGeneration === undefined) delete view.observedGeneration;
    if (view.deletionTimestamp === undefined) delete view.deletionTimestamp;
    return view;
  } catch (err) {
    if (!(err instanceof Unreadable)) throw err;
    // The model says `unreadable` replaces the fields: drop whatever was read before the fault.
    return {
      kind: view.kind,
      namespace: view.namespace,
      name: view.name,
      ...(labels ? { labels } : {}),
      suspend: false,
      conditions: [],
      unreadable: err.message,
    };
  }
}

function read(obj: Fields, view: ObjectView): void {
  if (view.kind === "") throw new Unreadable("kind is missing");
  const meta = field(obj, "metadata");
  if (meta === undefined) throw new Unreadable("metadata is missing");
  if (!isFields(meta)) throw new Unreadable(`metadata is ${describe(meta)}, not an object`);
  const name = field(meta, "name");
  if (name === undefined || name === "") throw new Unreadable("metadata.name is missing");
  if (typeof name !== "string") throw new Unreadable(`metadata.name is ${describe(name)}, not a string`);
  // Flux kinds are all namespaced; a missing namespace is tolerated (keyed as "") rather than
  // hiding the object, but a namespace of the wrong type means the object is not what we think.
  optionalString(meta, "namespace", "metadata.namespace");

  view.generation = optionalGeneration(meta, "generation", "metadata.generation");
  view.deletionTimestamp = optionalString(meta, "deletionTimestamp", "metadata.deletionTimestamp");

  const spec = field(obj, "spec");
  if (spec !== undefined) {
    if (!isFields(spec)) throw new Unreadable(`spec is ${describe(spec)}, not an object`);
    const suspend = field(spec, "suspend");
    if (suspend !== undefined && typeof suspend !== "boolean") {
      throw new Unreadable(`spec.suspend is ${describe(suspend)}, not true or false`);
    }
    view.suspend = suspend === true;
  }

  const status = field(obj, "status");
  if (status === undefined) return;
  if (!isFields(status)) throw new Unreadable(`status is ${describe(status)}, not an object`);
  view.observedGeneration = optionalGeneration(status, "observedGeneration", "status.observedGeneration");
  const conditions = field(status, "conditions");
  if (conditions === undefined) return;
  if (!Array.isArray(conditions)) throw new Unreadable(`status.conditions is ${describe(conditions)}, not a list`);
  const seen = new Set<string>();
  conditions.forEach((raw: unknown, i) => {
    const c = condition(raw, `status.conditions[${i}]`);
    // Two conditions of one type leave the verdict ambiguous (which Ready is true?);
    // Kubernetes' own helpers never write that, so it is a broken object, not a choice to make.
    if (seen.has(c.type)) throw new Unreadable(`status.conditions has more than one ${c.type} condition`);
    seen.add(c.type);
    view.conditions.push(c);
  });
}

function condition(raw: unknown, path: string): ConditionView {
  if (!isFields(raw)) throw new Unreadable(`${path} is ${describe(raw)}, not an object`);
  const type = field(raw, "type");
  if (typeof type !== "string" || type === "") {
    throw new Unreadable(type === undefined ? `${path}.type is missing` : `${path}.type is ${describe(type)}, not a string`);
  }
  const status = field(raw, "status");
  if (typeof status !== "string") {
    throw new Unreadable(status === undefined ? `${path} (${type}) has no status` : `${path}.status is ${describe(status)}, not a string`);
  }
  if (!CONDITION_STATUSES.has(status)) {
    throw new Unreadable(`${path}.status is ${JSON.stringify(cap(status, 64))}, not True, False or Unknown`);
  }
  const view: ConditionView = { type: cap(type, MESSAGE_LIMIT), status };
  const reason = optionalString(raw, "reason", `${path}.reason`);
  if (reason !== undefined) view.reason = cap(reason, MESSAGE_LIMIT);
  const message = optionalString(raw, "message", `${path}.message`);
  if (message !== undefined) view.message = cap(message, MESSAGE_LIMIT);
  const observedGeneration = optionalGeneration(raw, "observedGeneration", `${path}.observedGeneration`);
  if (observedGeneration !== undefined) view.observedGeneration = observedGeneration;
  const lastTransitionTime = optionalString(raw, "lastTransitionTime", `${path}.lastTransitionTime`);
  if (lastTransitionTime !== undefined) view.lastTransitionTime = lastTransitionTime;
  return view;
}

/** metadata.labels, read with the identity (a light's selector may count an unreadable object too); a value that is not a string is no label. */
function labelsOf(meta: Fields | undefined): Record<string, string> | undefined {
  const raw = meta && field(meta, "labels");
  const labels = isFields(raw) ? Object.entries(raw).filter((e): e is [string, string] => typeof e[1] === "string") : [];
  return labels.length ? Object.fromEntries(labels) : undefined;
}

/** A key's value, with JSON null read as absent (clients disagree on which they send). */
function field(obj: Fields, key: string): unknown {
  const value = Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
  return value === null ? undefined : value;
}

function optionalString(obj: Fields, key: string, path: string): string | undefined {
  const value = field(obj, key);
  if (value === undefined || typeof value === "string") return value;
  throw new Unreadable(`${path} is ${describe(value)}, not a string`);
}

function optionalGeneration(obj: Fields, key: string, path: string): number | undefined {
  const value = field(obj, key);
  if (value === undefined) return undefined;
  // Generations are int64 counters; -1 is the CRD's default for a status nobody wrote yet.
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw new Unreadable(`${path} is ${describe(value)}, not a whole number`);
  }
  return value;
}

/** Cuts a string at `limit`, saying so, and never through the middle of a surrogate pair. */
export function cap(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = limit;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return detach(`${text.slice(0, end)}… [truncated, ${text.length} characters in all]`);
}

/**
 * A flat copy of `text`. V8 makes a slice of a long string a view into it, so a capped 1 MiB message
 * would keep the whole megabyte alive as long as the projection lives (until something flattened it).
 */
function detach(text: string): string {
  return Buffer.from(text, "utf16le").toString("utf16le");
}

const isFields = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);

/** What a value is, in a few words, for an unreadable sentence (never the value itself: it could be huge). */
function describe(value: unknown): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return value.length <= 32 ? `the string ${JSON.stringify(value)}` : "a string";
    case "number":
      return Number.isFinite(value) ? `the number ${value}` : "a non-finite number";
    case "boolean":
      return `${value}`;
    default:
      return typeof value === "object" ? "an object" : `a ${typeof value}`;
  }
}
