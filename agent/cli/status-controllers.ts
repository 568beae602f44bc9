// `fluxlight status`'s "controllers" section, the pure part: what one look at the Flux
// namespace's Deployments and Leases says about each controller that reconciles a served kind.
// One look cannot see a Lease renewing (that takes two looks, on the agent's clock), so here the
// Deployment decides and the Lease is shown as written.
import type { ControllerDown } from "../signal/index.ts";
import { CONTROLLER_OF, judgeController, leaseName, observeDeployment, observeLease, type DeploymentView, type LeaseView } from "../status/controllers.ts";
import { formatTable } from "./table.ts";

export interface ControllerRow {
  name: string;
  namespace: string;
  /** true / false, or null: nothing says (no Deployment found). */
  running: boolean | null;
  deployment: { available: number; replicas: number } | null;
  lease: { holder: string | null; renewTime: string | null; durationSeconds: number | null } | null;
  message: string;
}

/** Either the rows, or why the controllers are unknown (e.g. 403 with the rule that fixes it). */
export type ControllersReport = { rows: ControllerRow[] } | { unknown: string };

export function controllerRows(namespace: string, servedKinds: readonly string[], leases: readonly LeaseView[], deployments: readonly DeploymentView[], now: number): ControllerRow[] {
  const names = [...new Set(servedKinds.map((k) => CONTROLLER_OF[k]).filter((c): c is string => c !== undefined))].sort();
  return names.map((name) => {
    const lease = leases.find((l) => l.name === leaseName(name));
    const dep = deployments.find((d) => d.name === name);
    const health = judgeController({ name, namespace, lease: lease && observeLease(undefined, lease, now), deployment: dep && observeDeployment(undefined, dep, now) }, now);
    return {
      name,
      namespace,
      running: health.state === "down" ? false : health.state === "running" ? true : null,
      deployment: dep ? { available: dep.availableReplicas, replicas: dep.replicas } : null,
      lease: lease ? { holder: lease.holderIdentity ?? null, renewTime: lease.renewTime ?? null, durationSeconds: lease.leaseDurationSeconds ?? null } : null,
      message: health.state === "down" ? health.message : health.state === "unknown" ? health.why : "",
    };
  });
}

/** The controllers not running, for the one-shot decision (down "since" now: the grace is zero here); `cluster` once several are looked at. */
export function downOf(report: ControllersReport, now: number, cluster?: string): ControllerDown[] {
  if (!("rows" in report)) return [];
  const of = cluster === undefined ? (r: ControllerRow) => ({ message: r.message }) : (r: ControllerRow) => ({ cluster, message: `cluster ${cluster}: ${r.message}` });
  return report.rows.filter((r) => r.running === false).map((r) => ({ namespace: r.namespace, name: r.name, since: now, ...of(r) }));
}

export const CONTROLLER_HEADERS = ["CONTROLLER", "NAMESPACE", "RUNNING", "DEPLOYMENT", "LEASE HOLDER", "LEASE RENEWED"] as const;

/** The section as printed under the objects table; empty when nothing about controllers was found. */
export function formatControllersTable(report: ControllersReport): string {
  if (!("rows" in report)) return `controllers: unknown: ${report.unknown}\n`;
  if (report.rows.every((r) => r.deployment === null && r.lease === null)) return "";
  const rows = report.rows.map((r) => [
    r.name,
    r.namespace,
    r.running === null ? "Unknown" : r.running ? "True" : "False",
    r.deployment ? `${r.deployment.available}/${r.deployment.replicas} available` : "not found",
    r.lease?.holder ?? "-",
    r.lease?.renewTime ?? "-",
  ]);
  return `\n${formatTable(CONTROLLER_HEADERS, rows)}\n`;
}
