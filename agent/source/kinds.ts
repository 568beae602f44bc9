// The Flux kinds fluxlight can watch: where each lives in the API, and how `--kinds` names them.
// The one list: the chart's RBAC rules (charts/lib/kinds.ts) and the simulated cluster
// (agent/sim/flux/kinds.ts, checked against the upstream CRDs) are made from it.

export interface WatchedKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

const KUSTOMIZE = "kustomize.toolkit.fluxcd.io";
const SOURCE = "source.toolkit.fluxcd.io";
const HELM = "helm.toolkit.fluxcd.io";

export const KUSTOMIZATION = { kind: "Kustomization", group: KUSTOMIZE, version: "v1", plural: "kustomizations" } as const satisfies WatchedKind;

/** Sources first, as `flux get all` lists them: they fail first when the pipeline breaks. */
export const FLUX_KINDS = [
  { kind: "GitRepository", group: SOURCE, version: "v1", plural: "gitrepositories" },
  { kind: "OCIRepository", group: SOURCE, version: "v1", plural: "ocirepositories" },
  { kind: "Bucket", group: SOURCE, version: "v1", plural: "buckets" },
  { kind: "HelmRepository", group: SOURCE, version: "v1", plural: "helmrepositories" },
  { kind: "HelmChart", group: SOURCE, version: "v1", plural: "helmcharts" },
  KUSTOMIZATION,
  { kind: "HelmRelease", group: HELM, version: "v2", plural: "helmreleases" },
] as const satisfies readonly WatchedKind[];

/** `Kustomization`, `HelmRelease`, …: a kind's name exactly as Flux spells it. */
export type FluxKindName = (typeof FLUX_KINDS)[number]["kind"];

/** `kustomizations.kustomize.toolkit.fluxcd.io`, as RBAC and `kubectl get` name it. */
export function resourceName(kind: WatchedKind): string {
  return `${kind.plural}.${kind.group}`;
}

/** A kind as a user may write it in --kinds: `Kustomization`, `kustomization`, `kustomizations`. */
export function findKind(name: string): WatchedKind | undefined {
  const n = name.trim().toLowerCase();
  return (FLUX_KINDS as readonly WatchedKind[]).find((k) => k.kind.toLowerCase() === n || k.plural === n || resourceName(k) === n);
}

/** What `--kinds` says of a name that is none of them. */
export function notAKind(name: string): string {
  return `${JSON.stringify(name)} is not a Flux kind fluxlight watches: use ${FLUX_KINDS.map((k) => k.kind).join(", ")}`;
}
