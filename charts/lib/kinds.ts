// The Flux kinds the agent watches, as RBAC needs to name them: the agent's own list
// (agent/source/kinds.ts), so that the chart grants exactly what the agent reads.
import { FLUX_KINDS as WATCHED, type FluxKindName } from "../../agent/source/kinds.ts";

export type { FluxKindName };

export interface FluxKindRef {
  group: string;
  version: string;
  plural: string;
}

export const FLUX_KINDS = Object.fromEntries(WATCHED.map(({ kind, group, version, plural }) => [kind, { group, version, plural }])) as Readonly<Record<FluxKindName, FluxKindRef>>;

/** Sources first, as the agent (and `flux get all`) lists them. */
export const ALL_FLUX_KINDS: readonly FluxKindName[] = WATCHED.map((k) => k.kind);

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
