// `fluxlight status` with a lights file: how each light reads the one look (the objects it counts,
// the controllers that matter to it, the view of the clusters it covers), and which light's signal
// the exit code follows; and, for a light (or the one light) that would show unknown, why.
import { serverText, type ClusterAccess } from "../kube/client.ts";
import type { Connectivity, ObjectView, Signal } from "../model.ts";
import type { ControllerDown, Decision } from "../signal/index.ts";
import { acrossClusters } from "../source/connectivity.ts";
import { scopeMatcher } from "../source/light-scope.ts";
import { caresAbout, type LightSettings } from "../lights.ts";
import type { StatusReport } from "./status-report.ts";

/** One light's one-shot signal. */
export interface LightReport {
  name: string;
  signal: Signal;
  decision: Decision;
}

/** A light as the report reads it. */
export interface LightLens {
  name: string;
  counts(view: ObjectView): boolean;
  caresAbout(down: ControllerDown): boolean;
  /** Absent: the view of every cluster looked at (one cluster). */
  connectivity?: Connectivity;
}

/**
 * A light of the lights file as the report reads it: what it counts in each cluster, the
 * controllers of its kinds in the clusters it covers, and the view of those clusters.
 */
export function lens(light: LightSettings, accesses: readonly ClusterAccess[], views: ReadonlyMap<string, Connectivity>): LightLens {
  const several = accesses.length > 1;
  const matchers = new Map(accesses.map((kc) => [several ? kc.context : undefined, scopeMatcher(light, kc.context)]));
  const cares = caresAbout(light);
  const covered = accesses.filter((kc) => matchers.get(several ? kc.context : undefined)).map((kc) => kc.context);
  return {
    name: light.name,
    counts: (view) => matchers.get(view.cluster)?.(view) ?? false,
    caresAbout: (down) => cares(down) && (down.cluster === undefined || covered.includes(down.cluster)),
    ...(several ? { connectivity: acrossClusters(new Map(covered.map((name) => [name, views.get(name)!]))) } : {}),
  };
}

/** For the exit code of several lights: a failure anywhere first, then no view, then not yet. */
const WORST_FIRST: readonly Signal[] = ["failed", "unknown", "progressing", "starting", "ok"];

export function worstLight(lights: readonly LightReport[]): LightReport {
  return [...lights].sort((a, b) => WORST_FIRST.indexOf(a.signal) - WORST_FIRST.indexOf(b.signal))[0]!;
}

/** A line for each light that would show unknown (or the one light), with each blind cluster's cause and fix. */
export function unknownLines(report: StatusReport, looked: readonly { access: ClusterAccess; view: Connectivity }[], fromFile: boolean): string[] {
  const several = looked.length > 1;
  return (report.lights ?? [{ ...report, name: undefined }]).flatMap((light) => {
    if (light.signal !== "unknown") return [];
    const blind = looked.flatMap(({ access, view }) => (view.state === "synced" ? [] : [`${several ? `cluster ${access.context}: ` : ""}${whyUnknown(view, light.decision.summary, access, fromFile)}`]));
    return [`the light${light.name === undefined ? "" : ` ${light.name}`} would show unknown: ${blind.length ? blind.join("; ") : whyUnknown({ state: "synced" }, light.decision.summary, looked[0]!.access, fromFile)}`];
  });
}

/** The cause and the fix (for one cluster of several, that cluster's own). */
function whyUnknown(c: Connectivity, summary: string, kc: ClusterAccess, fromFile: boolean): string {
  // decide() words an outage for a watcher ("unreachable for 0s"); one look just failed to reach it.
  if (c.state === "unreachable") return `cannot reach the API server: ${c.error} (check that ${serverText(kc)} is reachable, or pass --kubeconfig/--context)`;
  if (c.state === "denied" || c.state === "missing-crd") return `${c.state === "denied" ? "access denied" : "Flux CRDs missing"}: ${c.error} (${c.fix})`;
  return `${summary} (check ${fromFile ? "the light's namespaces, selector, kinds and names in the lights file" : "--namespace, --selector and --kinds"})`;
}
