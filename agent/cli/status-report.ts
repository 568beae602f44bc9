// `fluxlight status`, the pure part: views in, the signal the light would show and the text to
// print out. The shell that gathers the views is ./status.ts.
import type { ClusterView, Connectivity, Evaluation, ObjectView, Signal, Verdict } from "../model.ts";
import { createSignalState, decide, observeConnectivity, observeControllers, observeList, type ControllerDown, type Decision } from "../signal/index.ts";
import { FLUX_KINDS } from "../source/kinds.ts";
import { evaluate } from "../status/verdict.ts";
import { escapeText, safeJson } from "../text/escape.ts";
import { formatTable } from "./table.ts";
import { downOf, formatControllersTable, type ControllersReport } from "./status-controllers.ts";
import { worstLight, type LightLens, type LightReport } from "./status-lights.ts";

/** One object as the status command reports it: `flux get`'s columns plus fluxlight's verdict. */
export interface StatusRow {
  /** The kubeconfig context, once several clusters are looked at. */
  cluster?: string;
  kind: string;
  namespace: string;
  name: string;
  /** The Ready condition's status as `flux get` prints it. */
  ready: string;
  verdict: Verdict;
  reason: string;
  message: string;
  suspended: boolean;
}

export interface StatusReport {
  /** The light's signal; with a lights file, the worst of the lights' (failed, unknown, progressing, starting, ok). */
  signal: Signal;
  decision: Decision;
  /** With a lights file: each light's signal, in the file's order. */
  lights?: LightReport[];
  rows: StatusRow[];
  /** The "controllers" section (./status-controllers.ts); absent when not looked at. */
  controllers?: ControllersReport;
  /** Several clusters: each one's view and controllers (then `controllers` is absent). */
  clusters?: ClusterStatus[];
}

/** One cluster of several, as `fluxlight status` reports it. */
export interface ClusterStatus {
  name: string;
  server: string;
  view: ClusterView;
  controllers?: ControllersReport;
}

export function toRow(view: ObjectView, ev: Evaluation = evaluate(view)): StatusRow {
  return {
    ...(view.cluster === undefined ? {} : { cluster: view.cluster }),
    kind: view.kind,
    namespace: view.namespace,
    name: view.name,
    ready: readyColumn(view),
    verdict: ev.verdict,
    // The verdict's own words: Flux's reason and message wherever a Flux condition decided it
    // (for Ready that is exactly `flux get`'s MESSAGE), fluxlight's where it decided itself
    // (suspended, terminating, a stale Ready, an unreadable object).
    reason: ev.reason,
    message: ev.message,
    suspended: view.suspend,
  };
}

/** `flux get`: the Ready condition's status as is; without one, False ("waiting to be reconciled"). */
export function readyColumn(view: ObjectView): string {
  // An unreadable object's conditions were never read: saying False would be a guess.
  if (view.unreadable !== undefined) return "Unknown";
  return view.conditions.find((c) => c.type === "Ready")?.status ?? "False";
}

/**
 * The signal the light would show for this one look. A one-shot look has no history: every
 * object progressing now has just been seen starting to progress, so with the agent's grace it
 * could only ever be held. A person asking "what is going on" expects to hear that it is
 * progressing, so the grace is zero here: progressing objects read as `progressing`, an
 * unreachable API as `unknown` at once. Stuck needs a history too and never applies.
 */
export function oneShotDecision(views: readonly ObjectView[], connectivity: Connectivity, now: number, down: readonly ControllerDown[] = []): Decision {
  return decideOnce(views.map((view) => ({ ref: view, evaluation: evaluate(view) })), connectivity, now, down);
}

/** The agent's path into the signal (one observeList for the whole list, then the connectivity): linear in the objects. */
function decideOnce(observed: readonly { ref: ObjectView; evaluation: Evaluation }[], connectivity: Connectivity, now: number, down: readonly ControllerDown[] = []): Decision {
  let state = createSignalState({ progressGrace: 0 });
  state = observeList(state, observed, [], now);
  state = observeConnectivity(state, connectivity, now);
  if (down.length) state = observeControllers(state, down, now);
  return decide(state, now);
}

/**
 * `clusters`: several clusters' views and controllers (`connectivity` is then their combination,
 * with each one's). `lights`: a lights file's, each decided over the objects it counts.
 */
export function buildReport(views: readonly ObjectView[], connectivity: Connectivity, now: number, controllers?: ControllersReport, clusters?: ClusterStatus[], lights?: readonly LightLens[]): StatusReport {
  const observed = views.map((view) => ({ ref: view, evaluation: evaluate(view) }));
  const down = clusters ? clusters.flatMap((c) => (c.controllers ? downOf(c.controllers, now, c.name) : [])) : controllers ? downOf(controllers, now) : [];
  const rows = sortRows(observed.map((o) => toRow(o.ref, o.evaluation)));
  const extra = { ...(controllers ? { controllers } : {}), ...(clusters ? { clusters } : {}) };
  if (!lights) {
    const decision = decideOnce(observed, connectivity, now, down);
    return { signal: decision.signal, decision, rows, ...extra };
  }
  const each = lights.map((l): LightReport => {
    const decision = decideOnce(observed.filter((o) => l.counts(o.ref)), l.connectivity ?? connectivity, now, down.filter((d) => l.caresAbout(d)));
    return { name: l.name, signal: decision.signal, decision };
  });
  const worst = worstLight(each);
  return { signal: worst.signal, decision: worst.decision, rows, lights: each, ...extra };
}

/** Sources first, as `flux get all` lists them (they fail first), then namespace and name. */
export function sortRows(rows: readonly StatusRow[]): StatusRow[] {
  const rank = (kind: string) => {
    const i = FLUX_KINDS.findIndex((k) => k.kind === kind);
    return i < 0 ? FLUX_KINDS.length : i;
  };
  return [...rows].sort((a, b) => cmp(a.cluster ?? "", b.cluster ?? "") || rank(a.kind) - rank(b.kind) || cmp(a.kind, b.kind) || cmp(a.namespace, b.namespace) || cmp(a.name, b.name));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const TABLE_HEADERS = ["KIND", "NAMESPACE", "NAME", "READY", "VERDICT", "SUSPENDED", "MESSAGE"] as const;

/**
 * The table (every cell escaped by formatTable) and a last line with the signal. No objects: the
 * signal alone. Several clusters: a CLUSTER column, and a section per cluster (its view, its controllers).
 */
export function formatStatusTable(report: Pick<StatusReport, "signal" | "rows" | "controllers" | "clusters" | "lights">): string {
  const several = report.clusters !== undefined;
  const cells = (r: StatusRow) => [r.kind, r.namespace, r.name, r.ready, r.verdict, r.suspended ? "True" : "False", r.message];
  const table = !report.rows.length ? "" : several ? formatTable(["CLUSTER", ...TABLE_HEADERS], report.rows.map((r) => [r.cluster ?? "", ...cells(r)])) : formatTable(TABLE_HEADERS, report.rows.map(cells));
  const controllers = report.controllers ? formatControllersTable(report.controllers) : "";
  // Each cluster's section: its view, then its controllers right under it.
  const clusters = (report.clusters ?? []).map((c) => `\n${escapeText(`cluster ${c.name} (${c.server}): ${viewWords(c.view)}`)}\n${c.controllers ? formatControllersTable(c.controllers).replace(/^\n/, "").replace(/\n\n$/, "\n") : ""}`).join("");
  // A lights file: a line per light.
  const signals = report.lights ? report.lights.map((l) => `signal ${escapeText(l.name)}: ${l.signal}\n`).join("") : `signal: ${report.signal}\n`;
  return `${table}${controllers}${clusters}${several ? "\n" : ""}${signals}`;
}

function viewWords(v: ClusterView): string {
  return v.state === "synced" || v.state === "listing" ? v.state : `${v.state}: ${v.error}`;
}

/** The JSON document: messages as the cluster wrote them, escaped only as JSON (and for terminals) requires. */
export function formatStatusJson(report: Pick<StatusReport, "signal" | "rows" | "controllers" | "clusters" | "lights">): string {
  const objects = report.rows.map((r) => ({
    ...(r.cluster === undefined ? {} : { cluster: r.cluster }),
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    verdict: r.verdict,
    ready: r.ready,
    reason: r.reason,
    message: r.message,
    suspended: r.suspended,
  }));
  const controllersOf = (c: ControllersReport) => ("rows" in c ? c.rows : { unknown: c.unknown });
  const controllers = report.controllers === undefined ? {} : { controllers: controllersOf(report.controllers) };
  const clusters = report.clusters === undefined ? {} : { clusters: report.clusters.map((c) => ({ name: c.name, server: c.server, ...c.view, ...(c.controllers ? { controllers: controllersOf(c.controllers) } : {}) })) };
  const lights = report.lights ? { lights: report.lights.map((l) => ({ name: l.name, signal: l.signal, summary: l.decision.summary })) } : {};
  return `${safeJson({ signal: report.signal, ...lights, objects, ...controllers, ...clusters }, 2)}\n`;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, notOk: 3 } as const;

/** 0 all ready, 1 something failed, 3 no clear answer yet (progressing, or no view of the cluster). */
export function exitCodeFor(signal: Signal): number {
  switch (signal) {
    case "ok":
      return EXIT.ok;
    case "failed":
      return EXIT.failed;
    case "progressing":
    case "unknown":
    case "starting":
      return EXIT.notOk;
  }
}
