// The Flux kinds fluxlight can watch: where each lives in the API, and how `--kinds` names them.

export interface WatchedKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

const KUSTOMIZE = "kustomize.toolkit.fluxcd.io";
const SOURCE = "source.toolkit.fluxcd.io";
const HELM = "helm.toolkit.fluxcd.io";

export const KUSTOMIZATION: WatchedKind = { kind: "Kustomization", group: KUSTOMIZE, version: "v1", plural: "kustomizations" };

/** Sources first, as `flux get all` lists them: they fail first when the pipeline breaks. */
export const FLUX_KINDS: readonly WatchedKind[] = [
  { kind: "GitRepository", group: SOURCE, version: "v1", plural: "gitrepositories" },
  { kind: "OCIRepository", group: SOURCE, version: "v1", plural: "ocirepositories" },
  { kind: "Bucket", group: SOURCE, version: "v1", plural: "buckets" },
  { kind: "HelmRepository", group: SOURCE, version: "v1", plural: "helmrepositories" },
  { kind: "HelmChart", group: SOURCE, version: "v1", plural: "helmcharts" },
  KUSTOMIZATION,
  { kind: "HelmRelease", group: HELM, version: "v2", plural: "helmreleases" },
];

/** `kustomizations.kustomize.toolkit.fluxcd.io`, as RBAC and `kubectl get` name it. */
export function resourceName(kind: WatchedKind): string {
  return `${kind.plural}.${kind.group}`;
}

/** A kind as a user may write it in --kinds: `Kustomization`, `kustomization`, `kustomizations`. */
export function findKind(name: string): WatchedKind | undefined {
  const n = name.trim().toLowerCase();
  return FLUX_KINDS.find((k) => k.kind.toLowerCase() === n || k.plural === n || resourceName(k) === n);
}
