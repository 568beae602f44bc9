// The Flux controllers as running processes, as far as the API shows them: each has a
// Deployment in the Flux namespace and, while it leads, renews its leader-election Lease every
// few seconds (client-go's retryPeriod; Flux: --leader-election-retry-period=5s,
// --leader-election-lease-duration=35s). `kill` stops one the way a crash-looping pod or a dead
// node does; nothing else about the cluster changes (its objects keep their last conditions).
import type { JsonObject } from "./kinds.ts";

/** The slice of the simulated API server this needs (ApiServer has it). */
export interface RuntimeApi {
  create(obj: JsonObject): JsonObject;
  update(obj: JsonObject): JsonObject;
  updateStatus(ref: { kind: string; namespace?: string; name: string }, status: JsonObject): JsonObject;
  get(ref: { kind: string; namespace?: string; name: string }): JsonObject | undefined;
}

export const FLUX_CONTROLLERS = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"] as const;

export interface RuntimeOptions {
  namespace?: string; // default flux-system
  controllers?: readonly string[]; // default FLUX_CONTROLLERS
  /** How often the leader renews (Flux: 5 s). */
  renewEveryMs?: number;
  /** spec.leaseDurationSeconds (Flux: 35). */
  leaseDurationSeconds?: number;
  /** Deployments only: leader election off (`--enable-leader-election=false`). */
  leases?: boolean;
  now?: () => Date;
}

const microTime = (d: Date) => d.toISOString().replace("Z", "000Z"); // MicroTime: microseconds

export class FluxRuntime {
  readonly namespace: string;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => Date;

  constructor(
    private readonly api: RuntimeApi,
    private readonly o: RuntimeOptions = {},
  ) {
    this.namespace = o.namespace ?? "flux-system";
    this.now = o.now ?? (() => new Date());
  }

  /** Create every controller's Deployment (available) and Lease, and start renewing. */
  start(): this {
    for (const name of this.o.controllers ?? FLUX_CONTROLLERS) {
      this.api.create(deployment(name, this.namespace, 1, this.now()));
      if (this.o.leases ?? true) {
        this.api.create({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: `${name}-leader-election`, namespace: this.namespace },
          spec: { holderIdentity: `${name}-7d9f8b6c5-x2x4q_${name}`, leaseDurationSeconds: this.o.leaseDurationSeconds ?? 35, acquireTime: microTime(this.now()), renewTime: microTime(this.now()), leaseTransitions: 0 },
        });
        this.renew(name);
      }
    }
    return this;
  }

  private renew(name: string): void {
    const t = setInterval(() => {
      const lease = this.api.get({ kind: "Lease", namespace: this.namespace, name: `${name}-leader-election` });
      if (!lease) return;
      this.api.update({ ...lease, spec: { ...(lease.spec as JsonObject), renewTime: microTime(this.now()) } });
    }, this.o.renewEveryMs ?? 5000);
    t.unref();
    this.timers.set(name, t);
  }

  /** The controller stops: no more renewals; `deployment` (default true) also drops its available replica. */
  kill(name: string, o: { deployment?: boolean; lease?: boolean } = {}): void {
    if (o.lease ?? true) {
      clearInterval(this.timers.get(name));
      this.timers.delete(name);
    }
    if (o.deployment ?? true) this.api.updateStatus({ kind: "Deployment", namespace: this.namespace, name }, deploymentStatus(name, 0, this.now()));
  }

  /** The controller runs again: available, and (with leases) renewing. */
  revive(name: string): void {
    this.api.updateStatus({ kind: "Deployment", namespace: this.namespace, name }, deploymentStatus(name, 1, this.now()));
    if ((this.o.leases ?? true) && !this.timers.has(name)) this.renew(name);
  }

  stop(): void {
    for (const t of this.timers.values()) clearInterval(t);
    this.timers.clear();
  }
}

function deployment(name: string, namespace: string, available: number, now: Date): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { "app.kubernetes.io/part-of": "flux", "app.kubernetes.io/component": name }, generation: 1 },
    spec: { replicas: 1, selector: { matchLabels: { app: name } } },
    status: deploymentStatus(name, available, now),
  };
}

/** What the deployment controller writes for 1 replica, `available` of them available. */
function deploymentStatus(name: string, available: number, now: Date): JsonObject {
  const at = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return {
    observedGeneration: 1,
    replicas: 1,
    updatedReplicas: 1,
    readyReplicas: available,
    availableReplicas: available,
    ...(available ? {} : { unavailableReplicas: 1 }),
    conditions: [
      available
        ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability.", lastTransitionTime: at, lastUpdateTime: at }
        : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability.", lastTransitionTime: at, lastUpdateTime: at },
      { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${name}-7d9f8b6c5" has successfully progressed.`, lastTransitionTime: at, lastUpdateTime: at },
    ],
  };
}
