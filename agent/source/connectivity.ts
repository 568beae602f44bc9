// The connectivity policy: every scope's view of the cluster (and discovery's) → the one view the
// signal reads. Pure. The whole view is as bad as the worst part, since the objects a part cannot
// see could be the failing ones — except that a kind whose CRD is missing is simply not watched
// while other kinds are (a cluster without helm-controller is fine).
import type { ClusterView, Connectivity } from "../model.ts";

/** Worst first. */
const ORDER: readonly Connectivity["state"][] = ["denied", "missing-crd", "unreachable", "listing", "synced"];

export function combine(parts: Iterable<Connectivity>): Connectivity {
  const all = [...parts];
  const watched = all.filter((c) => c.state !== "missing-crd");
  const considered = watched.length > 0 ? watched : all;
  let worst: Connectivity | undefined;
  for (const c of considered) {
    if (worst === undefined || ORDER.indexOf(c.state) < ORDER.indexOf(worst.state)) worst = c;
  }
  return worst ?? { state: "listing" };
}

/** Every watched part has listed and its watch runs; kinds without a CRD are not watched. */
export function isWatching(parts: Iterable<Connectivity>): boolean {
  const watched = [...parts].filter((c) => c.state !== "missing-crd");
  return watched.length > 0 && watched.every((c) => c.state === "synced");
}

/**
 * Several clusters' views as one (each already its scopes' combination): the worst of them, a
 * cluster serving no Flux included (nobody can see what it should hold), with each cluster's own
 * kept by context name for the signal (a blind cluster hides only its own objects).
 */
export function acrossClusters(views: ReadonlyMap<string, ClusterView>): Connectivity {
  let worst: ClusterView | undefined;
  for (const c of views.values()) {
    if (worst === undefined || ORDER.indexOf(c.state) < ORDER.indexOf(worst.state)) worst = c;
  }
  return { ...(worst ?? { state: "listing" }), clusters: Object.fromEntries(views) };
}
