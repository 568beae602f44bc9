// A stand-in for kustomize-controller's status writes during one run (conditions.md): each
// function takes the object as the API server has it and returns the NEW `status` the
// controller would write through the status subresource. Nothing is mutated.
//
//   start      Ready=Unknown/Progressing + Reconciling=True        (observedGeneration kept)
//   progress   "Fetching/Building manifests for revision R ..."     (Ready stays Unknown)
//   health     "Running health checks for revision R ..." (+ Healthy=Unknown when waiting)
//   succeeded  Ready=True/ReconciliationSucceeded "Applied revision: R", Reconciling removed,
//              status.observedGeneration = metadata.generation
//   failed     Ready=False/<reason>, Reconciling=True/ProgressingWithRetry, or Stalled=True
//              (terminal) with no Reconciling; observedGeneration kept
import { kubeTime, removeCondition, setCondition, type Condition } from "./conditions.ts";
import type { Json, JsonObject } from "./kinds.ts";

export interface ControllerClock {
  now?: Date;
}

function parts(obj: JsonObject): { gen: number; status: JsonObject; conds: Condition[]; waits: boolean; timeout: string } {
  const md = (obj.metadata ?? {}) as JsonObject;
  const spec = (obj.spec ?? {}) as JsonObject;
  const status = structuredClone((obj.status ?? { observedGeneration: -1 }) as JsonObject);
  const conds = Array.isArray(status.conditions) ? (status.conditions as unknown as Condition[]) : [];
  const waits = spec.wait === true || (Array.isArray(spec.healthChecks) && spec.healthChecks.length > 0);
  return { gen: typeof md.generation === "number" ? md.generation : 1, status, conds, waits, timeout: goDuration(String(spec.timeout ?? spec.interval ?? "5m")) };
}

// Flux prints durations with Go's time.Duration String(): "3m0s", "1m30s".
function goDuration(d: string): string {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
  if (!m) return d;
  const [h, mi, s] = [Number(m[1] ?? 0), Number(m[2] ?? 0), Number(m[3] ?? 0)];
  return `${h ? `${h}h` : ""}${h || mi ? `${mi}m` : ""}${s}s`;
}

function withConds(status: JsonObject, conds: Condition[]): JsonObject {
  return { ...status, conditions: conds as unknown as Json[] };
}

export function reconcileStarted(obj: JsonObject, c: ControllerClock = {}): JsonObject {
  const now = c.now ?? new Date();
  const { gen, status, conds } = parts(obj);
  const newGen = status.observedGeneration !== gen;
  let next = setCondition(conds, { type: "Reconciling", status: "True", observedGeneration: gen, reason: "Progressing", message: newGen ? `Reconciling new object generation (${gen})` : "Reconciliation in progress" }, now);
  next = setCondition(next, { type: "Ready", status: "Unknown", observedGeneration: gen, reason: "Progressing", message: "Reconciliation in progress" }, now);
  return withConds(status, next);
}

function progressing(obj: JsonObject, message: string, c: ControllerClock): JsonObject {
  const now = c.now ?? new Date();
  const { gen, status, conds } = parts(obj);
  let next = setCondition(conds, { type: "Reconciling", status: "True", observedGeneration: gen, reason: "Progressing", message }, now);
  next = setCondition(next, { type: "Ready", status: "Unknown", observedGeneration: gen, reason: "Progressing", message }, now);
  return withConds(status, next);
}

export function fetchingManifests(obj: JsonObject, revision: string, c: ControllerClock = {}): JsonObject {
  return progressing(obj, `Fetching manifests for revision ${revision} with a timeout of ${parts(obj).timeout}`, c);
}

export function buildingManifests(obj: JsonObject, revision: string, c: ControllerClock = {}): JsonObject {
  return progressing(obj, `Building manifests for revision ${revision} with a timeout of ${parts(obj).timeout}`, c);
}

export function healthCheckRunning(obj: JsonObject, revision: string, c: ControllerClock = {}): JsonObject {
  const now = c.now ?? new Date();
  const { gen, timeout } = parts(obj);
  const msg = `Running health checks for revision ${revision} with a timeout of ${timeout}`;
  const status = progressing(obj, msg, c);
  const conds = setCondition(status.conditions as unknown as Condition[], { type: "Healthy", status: "Unknown", observedGeneration: gen, reason: "Progressing", message: msg }, now);
  return withConds(status, conds);
}

export function reconcileSucceeded(obj: JsonObject, revision: string, c: ControllerClock = {}): JsonObject {
  const now = c.now ?? new Date();
  const { gen, status, conds, waits } = parts(obj);
  let next = removeCondition(removeCondition(conds, "Reconciling"), "Stalled");
  next = setCondition(next, { type: "Ready", status: "True", observedGeneration: gen, reason: "ReconciliationSucceeded", message: `Applied revision: ${revision}` }, now);
  if (waits) next = setCondition(next, { type: "Healthy", status: "True", observedGeneration: gen, reason: "Succeeded", message: "Health check passed in 2.01s" }, now);
  const history = Array.isArray(status.history) ? (status.history as JsonObject[]) : [];
  const prev = history[0];
  const entry: JsonObject = {
    digest: String(prev?.digest ?? `sha256:${"0".repeat(64)}`),
    firstReconciled: String(prev?.firstReconciled ?? kubeTime(now)),
    lastReconciled: kubeTime(now),
    lastReconciledDuration: "2.01s",
    lastReconciledStatus: "ReconciliationSucceeded",
    totalReconciliations: (typeof prev?.totalReconciliations === "number" ? prev.totalReconciliations : 0) + 1,
    metadata: { revision },
  };
  return {
    ...withConds(status, next),
    observedGeneration: gen,
    lastAppliedRevision: revision,
    lastAttemptedRevision: revision,
    history: [entry, ...history.slice(1)],
  };
}

export interface FailOptions extends ControllerClock {
  /** Terminal failure (InvalidCELExpression, AccessDenied, ...): Stalled=True, no retry. */
  stalled?: boolean;
  revision?: string;
}

export function reconcileFailed(obj: JsonObject, reason: string, message: string, o: FailOptions = {}): JsonObject {
  const now = o.now ?? new Date();
  const { gen, status, conds, waits } = parts(obj);
  let next = conds;
  if (o.stalled) {
    next = removeCondition(next, "Reconciling");
    next = setCondition(next, { type: "Stalled", status: "True", observedGeneration: gen, reason, message }, now);
  } else {
    next = removeCondition(next, "Stalled");
    next = setCondition(next, { type: "Reconciling", status: "True", observedGeneration: gen, reason: "ProgressingWithRetry", message }, now);
  }
  next = setCondition(next, { type: "Ready", status: "False", observedGeneration: gen, reason, message }, now);
  if (waits && reason === "HealthCheckFailed") next = setCondition(next, { type: "Healthy", status: "False", observedGeneration: gen, reason, message }, now);
  const out: JsonObject = withConds(status, next);
  if (o.revision) out.lastAttemptedRevision = o.revision;
  return out;
}

/** The statuses a healthy run writes, in order (4-6 MODIFIED events for a watcher). */
export function successfulRun(obj: JsonObject, revision: string, c: ControllerClock = {}): JsonObject[] {
  const steps: JsonObject[] = [];
  let cur = obj;
  const push = (s: JsonObject) => {
    steps.push(s);
    cur = { ...cur, status: s };
  };
  push(reconcileStarted(cur, c));
  push(fetchingManifests(cur, revision, c));
  push(buildingManifests(cur, revision, c));
  if (parts(obj).waits) push(healthCheckRunning(cur, revision, c));
  push(reconcileSucceeded(cur, revision, c));
  return steps;
}

/** The statuses a failing run writes: start, build, then Ready=False. */
export function failedRun(obj: JsonObject, revision: string, reason: string, message: string, o: FailOptions = {}): JsonObject[] {
  const steps: JsonObject[] = [];
  let cur = obj;
  for (const s of [reconcileStarted, (x: JsonObject) => buildingManifests(x, revision, o)]) {
    const st = s(cur, o);
    steps.push(st);
    cur = { ...cur, status: st };
  }
  steps.push(reconcileFailed(cur, reason, message, { ...o, revision }));
  return steps;
}
