// The Flux kinds fluxlight can watch: where each lives in the API.

export interface WatchedKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

export const KUSTOMIZATION: WatchedKind = {
  kind: "Kustomization",
  group: "kustomize.toolkit.fluxcd.io",
  version: "v1",
  plural: "kustomizations",
};

/** `kustomizations.kustomize.toolkit.fluxcd.io`, as RBAC and `kubectl get` name it. */
export function resourceName(kind: WatchedKind): string {
  return `${kind.plural}.${kind.group}`;
}
