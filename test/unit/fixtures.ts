// Kustomizations shaped exactly like kustomize.toolkit.fluxcd.io/v1 objects as a real API
// server returns them (the CRD's required spec fields, RFC 3339 times, conditions with every
// required key), for the status and signal tests.

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface KsOptions {
  name?: string;
  namespace?: string;
  generation?: number;
  suspend?: boolean;
  deletionTimestamp?: string;
  observedGeneration?: number;
  conditions?: Condition[];
  /** Leave status out entirely (as a client would see a just-created object without defaults applied). */
  noStatus?: boolean;
}

const T = "2026-08-01T10:00:00Z";

export function kustomization(o: KsOptions = {}): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    name: o.name ?? "main",
    namespace: o.namespace ?? "flux-system",
    uid: "0d3b7d3e-5a8b-4c7e-9a53-1f2e3d4c5b6a",
    resourceVersion: "4711",
    generation: o.generation ?? 1,
    creationTimestamp: "2026-08-01T09:00:00Z",
  };
  if (o.deletionTimestamp !== undefined) {
    metadata.deletionTimestamp = o.deletionTimestamp;
    metadata.finalizers = ["finalizers.fluxcd.io"];
  }
  const spec: Record<string, unknown> = {
    interval: "2m",
    retryInterval: "2m",
    timeout: "3m",
    path: "./",
    prune: true,
    wait: true,
    sourceRef: { kind: "Bucket", name: "caddy-bucket" },
  };
  if (o.suspend !== undefined) spec.suspend = o.suspend;
  const obj: Record<string, unknown> = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata,
    spec,
  };
  if (!o.noStatus) {
    obj.status = {
      observedGeneration: o.observedGeneration ?? -1,
      ...(o.conditions ? { conditions: o.conditions.map((c) => ({ lastTransitionTime: T, ...c })) } : {}),
    };
  }
  return obj;
}

export const ready = (generation = 1): Condition => ({
  type: "Ready",
  status: "True",
  reason: "ReconciliationSucceeded",
  message: "Applied revision: latest@sha256:5e1f0c0d",
  observedGeneration: generation,
});

export const readyUnknown = (generation = 1): Condition => ({
  type: "Ready",
  status: "Unknown",
  reason: "Progressing",
  message: "Reconciliation in progress",
  observedGeneration: generation,
});

export const readyFalse = (reason: string, message: string, generation = 1): Condition => ({
  type: "Ready",
  status: "False",
  reason,
  message,
  observedGeneration: generation,
});

export const reconciling = (generation = 1): Condition => ({
  type: "Reconciling",
  status: "True",
  reason: "Progressing",
  message: "Reconciliation in progress",
  observedGeneration: generation,
});
