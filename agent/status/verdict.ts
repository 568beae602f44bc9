// One Flux object's verdict: docs/design.md's table, in order, first match wins. The table combines
// kstatus (which calls most retrying failures InProgress) with `flux get` (which shows only
// Ready), so that a retrying failure reads as failed while a routine reconcile reads as
// progressing.

import type { ConditionView, Evaluation, ObjectView } from "../model.ts";

/** Ready=False reasons that mean "not done yet" rather than "broken" (row 8). */
export const TRANSIENT_READY_REASONS: ReadonlySet<string> = new Set([
  "DependencyNotReady",
  "HealthCheckCanceled",
  "Progressing",
]);

export function evaluate(view: ObjectView): Evaluation {
  // 1. Nothing else can be trusted about an object we could not read.
  if (view.unreadable !== undefined) {
    return { verdict: "unknown", reason: "Unreadable", message: view.unreadable };
  }
  // 2. Deletion trumps everything: its conditions describe an object on its way out.
  if (view.deletionTimestamp !== undefined) {
    return { verdict: "terminating", reason: "Terminating", message: `being deleted since ${view.deletionTimestamp}` };
  }
  // 3. Suspended objects keep their last conditions, which no longer say anything current.
  if (view.suspend) {
    return { verdict: "suspended", reason: "Suspended", message: "reconciliation is suspended (spec.suspend: true)" };
  }
  // 4. Stalled=True: the controller gave up; no retry will help.
  const stalled = find(view, "Stalled");
  if (stalled?.status === "True" && speaksForCurrentSpec(stalled, view)) {
    return flux("failed", stalled);
  }
  const ready = find(view, "Ready");
  // 5. `flux get` words it the same way.
  if (ready === undefined) {
    return { verdict: "progressing", reason: "NotReconciled", message: "waiting to be reconciled" };
  }
  // 6. A Ready written for an older spec says nothing about the current one.
  if (!speaksForCurrentSpec(ready, view)) {
    const written = ready.observedGeneration ?? view.observedGeneration;
    return {
      verdict: "progressing",
      reason: "StaleStatus",
      message: `Ready condition is for generation ${written}, object is at ${view.generation}`,
    };
  }
  switch (ready.status) {
    case "True": // 7
      return flux("ready", ready);
    case "False": // 8 and 9
      return flux(ready.reason !== undefined && TRANSIENT_READY_REASONS.has(ready.reason) ? "progressing" : "failed", ready);
    case "Unknown": // 10
      return flux("progressing", ready);
    default:
      // The projection rejects any other status; kept so a hand-built view cannot slip through as ready.
      return { verdict: "unknown", reason: "Unreadable", message: `Ready condition has status ${JSON.stringify(ready.status)}` };
  }
}

/**
 * Whether a condition was written for the object's current spec (docs/design.md). A view without a
 * generation gives nothing to compare against, so the condition is taken at its word.
 */
export function speaksForCurrentSpec(condition: ConditionView, view: ObjectView): boolean {
  if (view.generation === undefined) return true;
  if (condition.observedGeneration !== undefined) return condition.observedGeneration === view.generation;
  return view.observedGeneration === undefined || view.observedGeneration === view.generation;
}

function find(view: ObjectView, type: string): ConditionView | undefined {
  return view.conditions.find((c) => c.type === type);
}

/** Flux's own words; a condition without a reason (not valid against the CRDs) is named by type and status. */
function flux(verdict: Evaluation["verdict"], condition: ConditionView): Evaluation {
  const evaluation: Evaluation = {
    verdict,
    reason: condition.reason ?? `${condition.type}${condition.status}`,
    message: condition.message ?? "",
  };
  const since = condition.lastTransitionTime === undefined ? NaN : Date.parse(condition.lastTransitionTime);
  if (Number.isFinite(since)) evaluation.since = since;
  return evaluation;
}
