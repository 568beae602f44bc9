// The Flux kinds the agent watches, as RBAC needs to name them.

export interface FluxKindRef {
  group: string;
  version: string;
  plural: string;
}

export const FLUX_KINDS = {
  Kustomization: { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" },
  Bucket: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "buckets" },
  GitRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories" },
  OCIRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "ocirepositories" },
  HelmRepository: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "helmrepositories" },
  HelmChart: { group: "source.toolkit.fluxcd.io", version: "v1", plural: "helmcharts" },
  HelmRelease: { group: "helm.toolkit.fluxcd.io", version: "v2", plural: "helmreleases" },
} as const satisfies Record<string, FluxKindRef>;

export type FluxKindName = keyof typeof FLUX_KINDS;

export const ALL_FLUX_KINDS = Object.keys(FLUX_KINDS) as FluxKindName[];

/** One rule per API group, resources sorted, so the ClusterRole reads the same on every synth. */
export function rbacRules(kinds: readonly FluxKindName[]): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const byGroup = new Map<string, Set<string>>();
  for (const k of kinds) {
    const { group, plural } = FLUX_KINDS[k];
    const set = byGroup.get(group) ?? new Set<string>();
    set.add(plural);
    byGroup.set(group, set);
  }
  return [...byGroup.keys()].sort().map((group) => ({
    apiGroups: [group],
    resources: [...(byGroup.get(group) ?? [])].sort(),
    // What the agent does: a list, then a watch. It never gets a single object.
    verbs: ["list", "watch"],
  }));
}
