// What the log says, and when: the lines that tell the story of the light, as pure functions.
// The agent decides when something happened and writes what these return.
import { describeRef, type Evaluation, type ObjectRef, type ObjectView, type Verdict } from "../model.ts";
import type { Transition } from "../signal/index.ts";

/** A line to write: its level, its fields (with `event`) and its sentence. */
export interface Line {
  level: "info" | "warn";
  fields: Record<string, unknown> & { event: string };
  text: string;
}

/**
 * What the log last said of an object's verdict. A failure that changes its reason
 * (BuildFailed → HealthCheckFailed) is news, and so is an unreadable object's new complaint.
 */
export type Said =
  | { verdict: "failed"; reason: string }
  | { verdict: "unknown"; message: string }
  | { verdict: Exclude<Verdict, "failed" | "unknown" | "progressing"> };

function sayable(ev: Evaluation): Said | undefined {
  switch (ev.verdict) {
    case "progressing":
      return undefined; // Flux's routine Ready=Unknown blips say nothing; the signal line covers a spell that lasts
    case "failed":
      return { verdict: "failed", reason: ev.reason };
    case "unknown":
      return { verdict: "unknown", message: ev.message };
    default:
      return { verdict: ev.verdict };
  }
}

function same(a: Said | undefined, b: Said): boolean {
  if (a === undefined || a.verdict !== b.verdict) return false;
  if (b.verdict === "failed") return (a as typeof b).reason === b.reason;
  if (b.verdict === "unknown") return (a as typeof b).message === b.message;
  return true;
}

/**
 * One object's verdict against what was said of it: what to remember, and the line to write if
 * it is news. `listed`: seen in a list; a ready object first seen in one is counted by the
 * list's own line instead.
 */
export function verdictNews(before: Said | undefined, view: ObjectRef, ev: Evaluation, listed: boolean): { said: Said | undefined; line?: Line } {
  const now = sayable(ev);
  if (now === undefined || same(before, now)) return { said: before };
  if (listed && now.verdict === "ready" && before === undefined) return { said: now };
  const fields = { event: "verdict", ...clusterOf(view), kind: view.kind, namespace: view.namespace, name: view.name, verdict: ev.verdict, previous: before?.verdict ?? null, reason: ev.reason, message: ev.message };
  const text = `${describeRef(view)} is ${ev.verdict}: ${ev.reason}${ev.message ? ": " + ev.message : ""}`;
  if (ev.verdict === "unknown") return { said: now, line: { level: "warn", fields, text: `${text} (skipped: left out of the light)` } };
  return { said: now, line: { level: ev.verdict === "failed" ? "warn" : "info", fields, text } };
}

export function deletedLine(ref: ObjectRef): Line {
  return { level: "info", fields: { event: "deleted", ...clusterOf(ref), kind: ref.kind, namespace: ref.namespace, name: ref.name }, text: `${describeRef(ref)} deleted` };
}

/** The `cluster` field, once several clusters are watched (absent with one: no noise). */
function clusterOf(ref: { cluster?: string }): { cluster?: string } {
  return ref.cluster === undefined ? {} : { cluster: ref.cluster };
}

/** A list's summary: how many objects, by verdict. */
export function listedLine(scope: { cluster?: string; kind: string; namespace?: string }, views: readonly ObjectView[], verdicts: readonly Verdict[]): Line {
  const { kind, namespace } = scope;
  const counts: Record<string, number> = {};
  for (const v of verdicts) counts[v] = (counts[v] ?? 0) + 1;
  const where = (namespace ? ` in ${namespace}` : "") + (scope.cluster === undefined ? "" : ` of cluster ${scope.cluster}`);
  return {
    level: "info",
    fields: { event: "listed", ...clusterOf(scope), kind, ...(namespace ? { namespace } : {}), objects: views.length, verdicts: counts },
    text: `listed ${kind} objects${where}: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(", ") || "none"}`,
  };
}

/** A light's change. `light`: its name, in the fields always; in the sentence when `named` (there are several). */
export function signalLine(change: Transition, light?: string, named = false): Line {
  const causes = change.causes.map((c) => ({ ...c.ref, verdict: c.verdict, reason: c.reason, message: c.message }));
  const words = change.causes.map((c) => `${describeRef(c.ref)} ${c.reason}${c.message ? ": " + c.message : ""}`);
  return {
    level: "info",
    fields: { event: "signal", ...(light === undefined ? {} : { light }), from: change.from ?? null, to: change.to, summary: change.summary, causes },
    text: `light ${named && light !== undefined ? `${light} ` : ""}${change.from ?? "off"} → ${change.to}: ${change.summary}${words.length ? ": " + words.join("; ") : ""}`,
  };
}
