// Is a Flux controller running? Pure: what was seen of its leader-election Lease and its
// Deployment, with the agent's clock passed in as `now` (ms).
//
// The Lease is timed as client-go's leader election times it: not by the renewTime written in
// it (another node's clock; a Raspberry Pi without a real-time clock can be hours off) but by
// when THIS process saw renewTime change. A Lease never seen changing says nothing (leader
// election may be off and the Lease a leftover); the Deployment then speaks alone.
import { formatDuration } from "../shared/duration.ts";
import type { DeploymentView, LeaseView } from "../source/controllers.ts";

export type { DeploymentView, LeaseView };

/** Which controller reconciles which Flux kind (conditions.md). */
export const CONTROLLER_OF: Readonly<Record<string, string>> = {
  Kustomization: "kustomize-controller",
  HelmRelease: "helm-controller",
  GitRepository: "source-controller",
  OCIRepository: "source-controller",
  Bucket: "source-controller",
  HelmRepository: "source-controller",
  HelmChart: "source-controller",
};

export const leaseName = (controller: string) => `${controller}-leader-election`;

export interface LeaseSeen {
  view: LeaseView;
  firstSeenAt: number;
  /** When this process last saw renewTime change; absent: never seen changing. */
  changedAt?: number;
}

export interface DeploymentSeen {
  view: DeploymentView;
  /** Since when (this process's clock) it has had no available replica. */
  unavailableSince?: number;
}

/** Flux's default (--leader-election-lease-duration=35s), for a Lease that does not say. */
const DEFAULT_LEASE_MS = 35_000;

export function leaseDurationMs(view: LeaseView): number {
  const s = view.leaseDurationSeconds;
  return typeof s === "number" && s > 0 ? s * 1000 : DEFAULT_LEASE_MS;
}

export function observeLease(prev: LeaseSeen | undefined, view: LeaseView, now: number): LeaseSeen {
  if (!prev) return { view, firstSeenAt: now };
  if (view.renewTime !== prev.view.renewTime || view.holderIdentity !== prev.view.holderIdentity) return { view, firstSeenAt: prev.firstSeenAt, changedAt: now };
  return { ...prev, view };
}

export function observeDeployment(prev: DeploymentSeen | undefined, view: DeploymentView, now: number): DeploymentSeen {
  if (hasAvailable(view)) return { view };
  return { view, unavailableSince: prev?.unavailableSince ?? now };
}

/** No available replica: availableReplicas 0 (or Available=False with none counted). */
function hasAvailable(view: DeploymentView): boolean {
  return view.availableReplicas > 0;
}

export type ControllerHealth =
  /** Nothing seen says either way (no Lease ever renewing, no Deployment, or neither readable). */
  | { state: "unknown"; why: string; recheckAt?: number }
  /** `recheckAt`: when it would count as not running if nothing more is seen. */
  | { state: "running"; recheckAt?: number }
  | { state: "down"; since: number; message: string };

export interface ControllerSeen {
  name: string;
  namespace: string;
  lease?: LeaseSeen;
  deployment?: DeploymentSeen;
}

/** The rules, as early returns; the first that applies decides. */
export function judgeController(c: ControllerSeen, now: number): ControllerHealth {
  const lease = c.lease;
  const leaseMs = lease ? leaseDurationMs(lease.view) : DEFAULT_LEASE_MS;
  const leaseStaleSince = lease?.changedAt !== undefined && now - lease.changedAt > leaseMs ? lease.changedAt + leaseMs : undefined;
  const deploymentDownSince = c.deployment?.unavailableSince;
  // Either signal alone is enough: no replica can run it, or its leader stopped renewing.
  if (deploymentDownSince !== undefined || leaseStaleSince !== undefined) {
    const since = Math.min(deploymentDownSince ?? Infinity, leaseStaleSince ?? Infinity);
    return { state: "down", since, message: `${c.name} is not running: ${evidence(c, now)}` };
  }
  // A renewing Lease: running, until its duration runs out with no renewal seen.
  if (lease?.changedAt !== undefined) return { state: "running", recheckAt: lease.changedAt + leaseMs + 1 };
  // Without a Lease seen renewing, the Deployment's word is all there is.
  const waitForLease = lease && lease.changedAt === undefined && now - lease.firstSeenAt <= leaseMs ? lease.firstSeenAt + leaseMs + 1 : undefined;
  if (c.deployment) return { state: "running", recheckAt: waitForLease };
  return { state: "unknown", why: lease ? `no Deployment ${c.namespace}/${c.name}, and its lease has not been renewed since fluxlight started watching` : `no Deployment or lease ${c.namespace}/${leaseName(c.name)} found`, recheckAt: waitForLease };
}

/** Has the Lease stayed unchanged for a whole lease duration since it was first seen? (Log it once.) */
export function leaseNeverRenewed(lease: LeaseSeen, now: number): boolean {
  return lease.changedAt === undefined && now - lease.firstSeenAt > leaseDurationMs(lease.view);
}

/** What was seen, in the words a person checks with kubectl. */
export function evidence(c: ControllerSeen, now: number): string {
  const parts: string[] = [];
  const lease = c.lease;
  if (lease) {
    const id = `lease ${c.namespace}/${lease.view.name}`;
    const lasts = formatDuration(leaseDurationMs(lease.view));
    if (lease.changedAt !== undefined) parts.push(`${id} last renewed ${formatDuration(roundSeconds(now - lease.changedAt))} ago (lasts ${lasts})`);
    else parts.push(`${id} not renewed in the ${formatDuration(roundSeconds(now - lease.firstSeenAt))} fluxlight has watched it`);
  }
  const d = c.deployment?.view;
  if (d) parts.push(`Deployment ${d.availableReplicas}/${d.replicas} available`);
  return parts.join("; ");
}

const roundSeconds = (ms: number) => Math.round(ms / 1000) * 1000;
