// Which of the wanted Flux kinds this cluster serves, read from API discovery as kubectl does,
// so that a cluster without Helm (or with an older Flux) is watched for what it has.
import type { KubeClient } from "../kube/client.ts";
import type { WatchedKind } from "./kinds.ts";
import { statusOf } from "./errors.ts";

export interface Discovered {
  served: WatchedKind[];
  missing: WatchedKind[];
}

/**
 * Asks `/apis/{group}/{version}` once per group/version. A 404 means the group/version is not
 * served (no CRD); any other error is thrown, for the caller to retry with backoff.
 */
export async function discoverKinds(api: KubeClient, wanted: readonly WatchedKind[]): Promise<Discovered> {
  const byGroupVersion = new Map<string, Set<string> | undefined>();
  for (const kind of wanted) {
    const gv = `${kind.group}/${kind.version}`;
    if (byGroupVersion.has(gv)) continue;
    try {
      const list = (await api.getJson(`/apis/${gv}`)) as { resources?: { name?: unknown }[] } | null;
      const names = (Array.isArray(list?.resources) ? list.resources : []).map((r) => r?.name);
      byGroupVersion.set(gv, new Set(names.filter((n): n is string => typeof n === "string")));
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
      byGroupVersion.set(gv, undefined);
    }
  }
  const served: WatchedKind[] = [];
  const missing: WatchedKind[] = [];
  for (const kind of wanted) {
    const plurals = byGroupVersion.get(`${kind.group}/${kind.version}`);
    (plurals?.has(kind.plural) ? served : missing).push(kind);
  }
  return { served, missing };
}
