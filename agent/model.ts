// The plain data that flows along docs/design.md's arrows. Every part codes against these shapes;
// nothing here does I/O.

/** How one Flux object reads (docs/design.md, "Verdicts"). */
export const VERDICTS = ["unknown", "terminating", "suspended", "failed", "progressing", "ready"] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Every signal: the one thing the whole light shows, in docs/design.md's order ("Signals and
 * what the LED shows"; a test holds that table and README's to this list).
 */
export const SIGNALS = ["unknown", "failed", "progressing", "ok", "starting"] as const;
export type Signal = (typeof SIGNALS)[number];

/** A Flux condition, as much of it as a verdict needs. */
export interface ConditionView {
  type: string;
  status: string; // "True" | "False" | "Unknown" as Flux writes them; kept as a string to stay faithful
  reason?: string;
  message?: string;
  observedGeneration?: number;
  /** When the condition last changed status, as Flux wrote it (RFC 3339). */
  lastTransitionTime?: string;
}

/** Identity of a watched object: kind + namespace + name (+ the cluster, once several are watched). */
export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
  /** The kubeconfig context the object was read from; absent when one cluster is watched. */
  cluster?: string;
}

/**
 * The small projection the source keeps of each Flux object (docs/design.md, "source"): never the
 * whole object, whose inventory can be tens of kilobytes. `unreadable` is set instead of the
 * fields when the object's shape is not one a verdict can be drawn from.
 */
export interface ObjectView extends ObjectRef {
  /** metadata.labels, for the lights' selectors; the agent reads them as it routes and does not keep them. */
  labels?: Record<string, string>;
  generation?: number;
  observedGeneration?: number;
  suspend: boolean;
  deletionTimestamp?: string;
  conditions: ConditionView[];
  unreadable?: string;
}

/** One object's verdict with Flux's own words for it. */
export interface Evaluation {
  verdict: Verdict;
  reason: string;
  message: string;
  /**
   * Since when (ms since the epoch, the cluster's clock) the deciding condition has said so:
   * its lastTransitionTime. Lets a progressing spell that began before the agent started count
   * from when it really began.
   */
  since?: number;
}

/** What the source knows about its view of one cluster, for the `unknown` signal. */
export type ClusterView =
  | { state: "listing" } // before the first complete list
  | { state: "synced" }
  | { state: "unreachable"; since: number; error: string }
  /** The server refused us: 401 (credentials rejected) or 403 (not permitted); waiting will not heal it. */
  | { state: "denied"; error: string; fix: string }
  | { state: "missing-crd"; error: string; fix: string };

/**
 * The view the signal reads: one cluster's, or several clusters' as one — the worst of them, with
 * `clusters` holding each one's own by context name, so that a cluster nobody can see blinds the
 * light only to its own objects (a failure in a cluster that is seen stays red).
 */
export type Connectivity = ClusterView & { readonly clusters?: Readonly<Record<string, ClusterView>> };

/** Kind, namespace and name never hold a `/`; a context name may, so it goes last. */
export function refKey(ref: ObjectRef): string {
  return ref.cluster === undefined ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.namespace}/${ref.name}/${ref.cluster}`;
}

/** An object in words, for log lines: `Kustomization flux-system/apps`, `… in cluster home` once several are watched. */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace}/${ref.name}${ref.cluster === undefined ? "" : ` in cluster ${ref.cluster}`}`;
}
