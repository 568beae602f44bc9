// Builders of realistic Flux objects for tests, the demo and the benchmark. Every builder's
// output validates against its CRD (test/apiserver/objects.test.ts checks each option).
// Objects carry no resourceVersion/uid/creationTimestamp: the API server assigns those.
import { fakeDigest, kubeTime, setCondition, type Condition, type ConditionStatus } from "./conditions.ts";
import type { JsonObject } from "./kinds.ts";

export interface FluxObjectOptions {
  name: string;
  namespace?: string; // default "flux-system"
  generation?: number; // default 1
  /** Ready condition; undefined = never reconciled (status is just `{observedGeneration: -1}`). */
  ready?: ConditionStatus;
  reason?: string;
  message?: string;
  /** Stalled=True with Ready's reason and message (terminal, no retry). */
  stalled?: boolean;
  /** Reconciling=True; defaults by kind and Ready (see each builder). */
  reconciling?: boolean;
  suspend?: boolean;
  /** status.observedGeneration; default: the generation when Ready=True, else the kind's rule. */
  observedGeneration?: number;
  /** Every condition's own observedGeneration; default `generation`. */
  conditionObservedGeneration?: number;
  revision?: string;
  managedFields?: boolean;
  deletionTimestamp?: string;
  finalizers?: string[]; // default ["finalizers.fluxcd.io"], as every Flux controller adds it
  labels?: Record<string, string>;
  /** Timestamps are derived from this (default a fixed instant, for reproducible fixtures). */
  now?: Date;
}

export interface KustomizationOptions extends FluxObjectOptions {
  inventoryEntries?: number; // default 12 when Ready=True has ever been reached
  sourceRef?: { kind: "Bucket" | "GitRepository" | "OCIRepository"; name: string; namespace?: string };
  path?: string;
  interval?: string;
  retryInterval?: string;
  wait?: boolean;
  dependsOn?: string[];
}

export interface HelmReleaseOptions extends FluxObjectOptions {
  inventoryEntries?: number;
  chart?: string;
  chartVersion?: string;
}

const FIXED_NOW = new Date("2026-07-01T12:00:00Z");

type Kind = "Kustomization" | "Bucket" | "GitRepository" | "OCIRepository" | "HelmRelease";

const API: Record<Kind, string> = {
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  Bucket: "source.toolkit.fluxcd.io/v1",
  GitRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
};

// The Ready reason/message each kind writes by default, per conditions.md.
function defaultReadyWords(kind: Kind, ready: ConditionStatus, revision: string, o: FluxObjectOptions): [string, string] {
  if (ready === "Unknown") return ["Progressing", "Reconciliation in progress"];
  const ns = o.namespace ?? "flux-system";
  switch (kind) {
    case "Kustomization":
      return ready === "True"
        ? ["ReconciliationSucceeded", `Applied revision: ${revision}`]
        : ["ReconciliationFailed", `Deployment/${ns}/${o.name} dry-run failed: Deployment.apps "${o.name}" is invalid: spec.template.spec.containers[0].image: Required value`];
    case "Bucket":
      return ready === "True"
        ? ["Succeeded", `stored artifact: revision '${revision}'`]
        : ["BucketOperationFailed", `failed to confirm existence of 'dist' bucket: Head "http://manifest-registry.flux-system.svc.cluster.local:80/dist/": dial tcp 10.43.12.7:80: connect: connection refused`];
    case "GitRepository":
      return ready === "True"
        ? ["Succeeded", `stored artifact for revision '${revision}'`]
        : ["GitOperationFailed", "failed to checkout and determine revision: unable to clone 'https://github.com/example/fleet': authentication required"];
    case "OCIRepository":
      return ready === "True"
        ? ["Succeeded", `stored artifact for digest '${revision}'`]
        : ["OCIArtifactPullFailed", `failed to pull artifact from 'oci://ghcr.io/example/manifests': GET https://ghcr.io/v2/example/manifests/manifests/latest: MANIFEST_UNKNOWN`];
    case "HelmRelease":
      return ready === "True"
        ? ["InstallSucceeded", `Helm install succeeded for release ${ns}/${o.name}.v1 with chart ${o.name}@6.7.1`]
        : ["UpgradeFailed", `Helm upgrade failed for release ${ns}/${o.name} with chart ${o.name}@6.7.1: context deadline exceeded`];
  }
}

function defaultRevision(kind: Kind, seed: string): string {
  switch (kind) {
    case "GitRepository":
      return `main@sha1:${fakeDigest(seed, "sha1")}`;
    case "OCIRepository":
      return `latest@sha256:${fakeDigest(seed)}`;
    case "HelmRelease":
      return "6.7.1";
    default:
      return `sha256:${fakeDigest(seed)}`;
  }
}

/** Applier kinds keep observedGeneration until a run succeeds; sources record every finished run. */
const APPLIERS: Kind[] = ["Kustomization", "HelmRelease"];

function metadata(kind: Kind, o: FluxObjectOptions, managed: () => JsonObject[]): JsonObject {
  const ns = o.namespace ?? "flux-system";
  const md: JsonObject = {
    name: o.name,
    namespace: ns,
    generation: o.generation ?? 1,
    finalizers: o.finalizers ?? ["finalizers.fluxcd.io"],
  };
  if (o.labels) md.labels = { ...o.labels };
  if (o.deletionTimestamp) {
    md.deletionTimestamp = o.deletionTimestamp;
    md.deletionGracePeriodSeconds = 0;
  }
  if (o.managedFields) md.managedFields = managed();
  void kind;
  return md;
}

function managedFields(apiVersion: string, controller: string, specFields: string[], statusFields: string[], now: Date): JsonObject[] {
  const time = kubeTime(now);
  const fields = (names: string[]) => Object.fromEntries(names.map((n) => [`f:${n}`, {}]));
  return [
    {
      apiVersion,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:labels": { "f:kustomize.toolkit.fluxcd.io/name": {}, "f:kustomize.toolkit.fluxcd.io/namespace": {} } }, "f:spec": fields(specFields) },
      manager: "kustomize-controller",
      operation: "Apply",
      time,
    },
    {
      apiVersion,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:metadata": { "f:finalizers": { ".": {}, 'v:"finalizers.fluxcd.io"': {} } } },
      manager: `gotk-${controller}`,
      operation: "Update",
      time,
    },
    {
      apiVersion,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": { "f:conditions": {}, ...fields(statusFields) } },
      manager: `gotk-${controller}`,
      operation: "Update",
      subresource: "status",
      time,
    },
  ];
}

interface StatusParts {
  conditions: Condition[];
  observedGeneration: number;
  revision: string;
  ready: ConditionStatus | undefined;
}

/** The Stalled/Reconciling/Ready trio every Flux kind shares; `extra` adds the kind's own. */
function commonStatus(kind: Kind, o: FluxObjectOptions, extra: (r: ConditionStatus, reason: string, msg: string, gen: number) => Omit<Condition, "lastTransitionTime">[]): StatusParts {
  const now = o.now ?? FIXED_NOW;
  const generation = o.generation ?? 1;
  const revision = o.revision ?? defaultRevision(kind, `${o.namespace ?? "flux-system"}/${o.name}`);
  const ready = o.ready;
  if (ready === undefined) return { conditions: [], observedGeneration: o.observedGeneration ?? -1, revision, ready };
  const [dReason, dMessage] = defaultReadyWords(kind, ready, revision, o);
  const reason = o.reason ?? dReason;
  const message = o.message ?? dMessage;
  const cgen = o.conditionObservedGeneration ?? generation;
  const applier = APPLIERS.includes(kind);
  const reconciling = o.reconciling ?? (ready === "Unknown" || (applier && ready === "False" && !o.stalled));
  let conds: Condition[] = [];
  if (o.stalled) conds = setCondition(conds, { type: "Stalled", status: "True", observedGeneration: cgen, reason, message }, now);
  if (reconciling) {
    const rreason = ready === "False" ? "ProgressingWithRetry" : "Progressing";
    conds = setCondition(conds, { type: "Reconciling", status: "True", observedGeneration: cgen, reason: rreason, message: ready === "False" ? message : "Reconciliation in progress" }, now);
  }
  conds = setCondition(conds, { type: "Ready", status: ready, observedGeneration: cgen, reason, message }, now);
  for (const c of extra(ready, reason, message, cgen)) conds = setCondition(conds, c, now);
  const observedGeneration = o.observedGeneration ?? (ready === "True" || !applier ? generation : generation > 1 ? generation - 1 : -1);
  return { conditions: conds, observedGeneration, revision, ready };
}

function inventory(namespace: string, name: string, n: number): JsonObject {
  const kinds: [string, string, string][] = [
    ["apps", "Deployment", "v1"],
    ["", "Service", "v1"],
    ["", "ConfigMap", "v1"],
    ["", "ServiceAccount", "v1"],
    ["networking.k8s.io", "Ingress", "v1"],
    ["rbac.authorization.k8s.io", "Role", "v1"],
    ["rbac.authorization.k8s.io", "RoleBinding", "v1"],
    ["policy", "PodDisruptionBudget", "v1"],
    ["autoscaling", "HorizontalPodAutoscaler", "v2"],
    ["", "Secret", "v1"],
  ];
  const entries = Array.from({ length: n }, (_, i) => {
    const [group, kind, v] = kinds[i % kinds.length]!;
    const obj = i < kinds.length ? name : `${name}-${Math.floor(i / kinds.length)}`;
    return { id: `${namespace}_${obj}_${group}_${kind}`, v };
  });
  return { entries };
}

function seconds(n: number): string {
  return `${n.toFixed(3).replace(/\.?0+$/, "")}s`;
}

export function kustomization(o: KustomizationOptions): JsonObject {
  const now = o.now ?? FIXED_NOW;
  const ns = o.namespace ?? "flux-system";
  const parts = commonStatus("Kustomization", o, (ready, reason, message, gen) =>
    o.wait && ready !== "Unknown" ? [{ type: "Healthy", status: ready, observedGeneration: gen, reason: ready === "True" ? "Succeeded" : reason, message: ready === "True" ? "Health check passed in 2.4s" : message }] : [],
  );
  const status: JsonObject = { observedGeneration: parts.observedGeneration };
  if (parts.ready !== undefined) {
    status.conditions = parts.conditions as unknown as JsonObject[];
    status.lastAttemptedRevision = parts.revision;
    if (parts.observedGeneration > 0) {
      status.lastAppliedRevision = parts.revision;
      status.inventory = inventory(ns, o.name, o.inventoryEntries ?? 12);
      status.history = [
        {
          digest: `sha256:${fakeDigest(`${parts.revision}/${o.name}/build`)}`,
          firstReconciled: kubeTime(new Date(now.getTime() - 86_400_000)),
          lastReconciled: kubeTime(now),
          lastReconciledDuration: seconds(1.234),
          lastReconciledStatus: parts.ready === "True" ? "ReconciliationSucceeded" : (o.reason ?? "ReconciliationFailed"),
          totalReconciliations: 720,
          metadata: { revision: parts.revision },
        },
      ];
    }
  }
  const spec: JsonObject = {
    interval: o.interval ?? "10m",
    path: o.path ?? `./apps/${o.name}`,
    prune: true,
    sourceRef: { ...(o.sourceRef ?? { kind: "GitRepository", name: "flux-system" }) },
    timeout: "3m",
    force: false,
  };
  if (o.retryInterval) spec.retryInterval = o.retryInterval;
  if (o.wait) spec.wait = true;
  if (o.dependsOn?.length) spec.dependsOn = o.dependsOn.map((name) => ({ name }));
  if (o.suspend) spec.suspend = true;
  const apiVersion = API.Kustomization;
  return {
    apiVersion,
    kind: "Kustomization",
    metadata: metadata("Kustomization", o, () =>
      managedFields(apiVersion, "kustomize-controller", Object.keys(spec), ["inventory", "lastAppliedRevision", "lastAttemptedRevision", "observedGeneration", "history"], now),
    ),
    spec,
    status,
  };
}

function artifact(kind: Kind, ns: string, name: string, revision: string, now: Date): JsonObject {
  const digest = fakeDigest(`${revision}/artifact`);
  const path = `${kind.toLowerCase()}/${ns}/${name}/${digest}.tar.gz`;
  return {
    digest: `sha256:${digest}`,
    lastUpdateTime: kubeTime(now),
    path,
    revision,
    size: 48_213,
    url: `http://source-controller.flux-system.svc.cluster.local./${path}`,
  };
}

function source(kind: "Bucket" | "GitRepository" | "OCIRepository", o: FluxObjectOptions, spec: JsonObject, failCondition: string): JsonObject {
  const now = o.now ?? FIXED_NOW;
  const ns = o.namespace ?? "flux-system";
  const parts = commonStatus(kind, o, (ready, reason, message, gen) => {
    if (ready === "True") return [{ type: "ArtifactInStorage", status: "True", observedGeneration: gen, reason: "Succeeded", message }];
    if (ready === "False") return [{ type: failCondition, status: "True", observedGeneration: gen, reason, message }];
    return [];
  });
  const status: JsonObject = { observedGeneration: parts.observedGeneration };
  if (parts.ready !== undefined) {
    status.conditions = parts.conditions as unknown as JsonObject[];
    if (parts.ready === "True") {
      status.artifact = artifact(kind, ns, o.name, parts.revision, now);
      if (kind !== "GitRepository") status.url = `http://source-controller.flux-system.svc.cluster.local./${kind.toLowerCase()}/${ns}/${o.name}/latest.tar.gz`;
    }
  }
  if (o.suspend) spec.suspend = true;
  const apiVersion = API[kind];
  return {
    apiVersion,
    kind,
    metadata: metadata(kind, o, () => managedFields(apiVersion, "source-controller", Object.keys(spec), ["artifact", "observedGeneration", "url"], now)),
    spec,
    status,
  };
}

/** A Bucket polling `rclone serve s3`, as in the homelab's `caddy-bucket`. */
export function bucket(o: FluxObjectOptions): JsonObject {
  return source("Bucket", o, {
    bucketName: "dist",
    endpoint: "manifest-registry.flux-system.svc.cluster.local:80",
    insecure: true,
    interval: "30s",
    provider: "generic",
    timeout: "60s",
  }, "FetchFailed");
}

export function gitRepository(o: FluxObjectOptions): JsonObject {
  return source("GitRepository", o, { interval: "1m", ref: { branch: "main" }, timeout: "60s", url: "https://github.com/example/fleet" }, "FetchFailed");
}

export function ociRepository(o: FluxObjectOptions): JsonObject {
  return source("OCIRepository", o, { interval: "5m", provider: "generic", ref: { tag: "latest" }, timeout: "60s", url: "oci://ghcr.io/example/manifests" }, "FetchFailed");
}

export function helmRelease(o: HelmReleaseOptions): JsonObject {
  const now = o.now ?? FIXED_NOW;
  const ns = o.namespace ?? "flux-system";
  const chart = o.chart ?? o.name;
  const version = o.chartVersion ?? "6.7.1";
  const parts = commonStatus("HelmRelease", { ...o, revision: o.revision ?? version }, (ready, reason, message, gen) =>
    ready === "Unknown" ? [] : [{ type: "Released", status: ready, observedGeneration: gen, reason, message }],
  );
  const status: JsonObject = { observedGeneration: parts.observedGeneration };
  if (parts.ready !== undefined) {
    status.conditions = parts.conditions as unknown as JsonObject[];
    status.helmChart = `${ns}/${ns}-${o.name}`;
    status.lastAttemptedRevision = version;
    status.lastAttemptedGeneration = o.generation ?? 1;
    status.lastAttemptedReleaseAction = "install";
    status.lastAttemptedConfigDigest = `sha256:${fakeDigest(`${o.name}/values`)}`;
    status.storageNamespace = ns;
    if (parts.ready === "False") status.failures = 1;
    if (parts.observedGeneration > 0) {
      status.inventory = inventory(ns, o.name, o.inventoryEntries ?? 8);
      status.history = [
        {
          appVersion: version,
          chartName: chart,
          chartVersion: version,
          configDigest: `sha256:${fakeDigest(`${o.name}/values`)}`,
          digest: `sha256:${fakeDigest(`${o.name}/release/1`)}`,
          firstDeployed: kubeTime(new Date(now.getTime() - 86_400_000)),
          lastDeployed: kubeTime(now),
          name: o.name,
          namespace: ns,
          status: "deployed",
          version: 1,
        },
      ];
    }
  }
  const spec: JsonObject = {
    interval: "30m",
    chart: { spec: { chart, version, sourceRef: { kind: "HelmRepository", name: chart }, reconcileStrategy: "ChartVersion" } },
    values: { replicaCount: 2 },
  };
  if (o.suspend) spec.suspend = true;
  const apiVersion = API.HelmRelease;
  return {
    apiVersion,
    kind: "HelmRelease",
    metadata: metadata("HelmRelease", o, () => managedFields(apiVersion, "helm-controller", Object.keys(spec), ["history", "observedGeneration", "helmChart"], now)),
    spec,
    status,
  };
}

/** The homelab pipeline of conditions.md: Bucket `caddy-bucket` feeding Kustomization `main`. */
export function homelab(o: { ready?: ConditionStatus; now?: Date } = {}): JsonObject[] {
  const ready = o.ready ?? "True";
  return [
    bucket({ name: "caddy-bucket", ready, now: o.now }),
    kustomization({
      name: "main",
      ready,
      now: o.now,
      interval: "2m",
      path: "./",
      wait: true,
      sourceRef: { kind: "Bucket", name: "caddy-bucket" },
      retryInterval: "2m",
      revision: defaultRevision("Bucket", "flux-system/caddy-bucket"),
    }),
  ];
}
