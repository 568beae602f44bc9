// metav1.Condition handling as Flux's runtime/conditions does it, shared by the builders and
// the simulated controller.
import { createHash } from "node:crypto";

export type ConditionStatus = "True" | "False" | "Unknown";

export interface Condition {
  type: string;
  status: ConditionStatus;
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** metav1.Time serialises to whole seconds; a real object never carries milliseconds. */
export function kubeTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Flux keeps these three first so `kubectl get` and its own summaries read them first.
const ORDER = ["Stalled", "Reconciling", "Ready"];

export function sortConditions(conds: Condition[]): Condition[] {
  const rank = (t: string) => (ORDER.includes(t) ? ORDER.indexOf(t) : ORDER.length);
  return [...conds].sort((a, b) => rank(a.type) - rank(b.type) || (rank(a.type) === ORDER.length ? a.type.localeCompare(b.type) : 0));
}

/**
 * Set one condition; `lastTransitionTime` moves only when the status flips, as
 * meta.SetStatusCondition does, so a watcher can tell a flip from a re-statement.
 */
export function setCondition(conds: Condition[], c: Omit<Condition, "lastTransitionTime">, now: Date): Condition[] {
  const prev = conds.find((x) => x.type === c.type);
  // Field order as metav1.Condition marshals, so fixtures read like `kubectl get -o json`.
  const next: Condition = {
    type: c.type,
    status: c.status,
    ...(c.observedGeneration === undefined ? {} : { observedGeneration: c.observedGeneration }),
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : kubeTime(now),
    reason: c.reason,
    message: c.message,
  };
  return sortConditions([...conds.filter((x) => x.type !== c.type), next]);
}

export function removeCondition(conds: Condition[], type: string): Condition[] {
  return conds.filter((c) => c.type !== type);
}

/** Stable fake digests so fixtures are realistic yet reproducible. */
export function fakeDigest(seed: string, algo: "sha256" | "sha1" = "sha256"): string {
  return createHash(algo).update(seed).digest("hex");
}
