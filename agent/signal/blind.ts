// Which clusters the light cannot see now. Without a view of a cluster the objects held from it
// say nothing current: denied access and missing Flux CRDs will not heal by waiting (they blind at
// once), an outage is held for the grace like a progressing blip. With one cluster that is the
// whole light; with several, only that cluster's objects (./decide.ts keeps a failure known in a
// cluster that is seen red). Pure, the clock passed in.
import type { ClusterView, Connectivity, ObjectRef } from "../model.ts";
import { formatDuration } from "../shared/duration.ts";

export interface Blindness {
  /** Why, in words: the cause and the fix, each blind cluster named when there are several. */
  summary: string;
  /** Every cluster the light stands for is blind (with one cluster: always). */
  all: boolean;
  /** Is this object in a cluster that is seen? */
  seen(ref: ObjectRef): boolean;
}

/** The clusters not seen now, or undefined; an outage still in its grace only asks to be woken when it ends (`wakeAt`). */
export function blindness(api: Connectivity, now: number, grace: number, wakeAt: (instant: number) => void): Blindness | undefined {
  if (api.clusters === undefined) {
    const why = blindBy(api, now, grace, wakeAt);
    return why === undefined ? undefined : { summary: why, all: true, seen: () => false };
  }
  const blind = new Map<string, string>();
  const names = Object.keys(api.clusters);
  for (const name of names) {
    const why = blindBy(api.clusters[name]!, now, grace, wakeAt);
    if (why !== undefined) blind.set(name, why);
  }
  if (blind.size === 0) return undefined;
  return {
    summary: [...blind].map(([name, why]) => `cluster ${name}: ${why}`).join("; "),
    all: blind.size === names.length,
    seen: (ref) => ref.cluster === undefined || !blind.has(ref.cluster),
  };
}

function blindBy(view: ClusterView, now: number, grace: number, wakeAt: (instant: number) => void): string | undefined {
  if (view.state === "denied" || view.state === "missing-crd") {
    const what = view.state === "denied" ? "access denied" : "Flux CRDs missing";
    return `${what}: ${view.error} (${view.fix})`;
  }
  if (view.state !== "unreachable") return undefined;
  // A short outage (an API server restart, a dropped watch) is held like a progressing blip;
  // `since` is the source's, on the same clock as `now`.
  const lost = now - view.since;
  if (lost >= grace) return `API unreachable for ${formatDuration(lost)}: ${view.error}`;
  wakeAt(view.since + grace);
  return undefined;
}
