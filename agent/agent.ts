// The imperative shell that joins the arrows: source → status → signal → link. It owns the one
// timer the signal asks for, and the log lines that tell the story of the light.
import type { KubeConfig } from "@kubernetes/client-node";
import { refKey, type Connectivity, type Evaluation, type ObjectRef, type ObjectView, type Signal, type Verdict } from "./model.ts";
import { evaluate } from "./status/verdict.ts";
import { createSignalState, decide, forgetObject, observeConnectivity, observeObject, transition, type SignalState } from "./signal/index.ts";
import { watchKind, type KindSource, type SourceSink } from "./source/kube.ts";
import { KUSTOMIZATION, type WatchedKind } from "./source/kinds.ts";
import { BoardLink, type LinkState } from "./link/board.ts";
import type { SerialAccess, UsbId } from "./link/ports.ts";
import type { LedSpec } from "./light/led-spec.ts";
import type { Log } from "./log/logger.ts";

export interface AgentSettings {
  serial: string;
  usbIds: UsbId[];
  led: LedSpec;
  progressGraceMs: number;
  stuckAfterMs: number;
}

export interface AgentDeps {
  kubeConfig: KubeConfig;
  access: SerialAccess;
  log: Log;
  now?: () => number;
  kinds?: WatchedKind[];
  /** The wiring cannot be drawn on this board: the process should exit 2 with this line. */
  onFatal(message: string): void;
}

/** What the agent knows right now, for /metrics and /readyz (read at scrape time). */
export interface AgentSnapshot {
  signal: Signal | undefined;
  /** ms (the agent's clock) of the last signal transition. */
  lastTransitionAt: number | undefined;
  objects: { kind: string; verdict: Verdict; count: number }[];
  board: { state: LinkState; connected: boolean; path?: string; firmware?: string };
  /** Every watched kind has completed a list and its watch is running. */
  watching: boolean;
  watchRestarts: number;
  events: number;
}

export interface Agent {
  readonly signal: Signal | undefined;
  snapshot(): AgentSnapshot;
  readonly link: BoardLink;
  readonly sources: KindSource[];
  /** Switch the LED off and let go of the board and the cluster. */
  stop(): Promise<void>;
}

export function startAgent(settings: AgentSettings, deps: AgentDeps): Agent {
  const now = deps.now ?? Date.now;
  const log = deps.log;
  const kinds = deps.kinds ?? [KUSTOMIZATION];
  let state: SignalState = createSignalState({ progressGrace: settings.progressGraceMs, stuckAfter: settings.stuckAfterMs });
  let shown: Signal | undefined;
  let lastTransitionAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const reported = new Map<string, string>(); // object → the verdict (or unreadable sentence) last logged
  const connectivity = new Map<string, Connectivity>();
  const listedOnce = new Set<string>();

  const link = new BoardLink({ serial: settings.serial, usbIds: settings.usbIds, led: settings.led, access: deps.access, log, onFatal: deps.onFatal });

  const reconsider = () => {
    const t = now();
    const decision = decide(state, t);
    const change = transition(shown, decision);
    if (change) {
      shown = change.to;
      lastTransitionAt = t;
      link.show(change.to);
      log.info(
        {
          event: "signal",
          from: change.from ?? null,
          to: change.to,
          summary: change.summary,
          causes: change.causes.map((c) => ({ ...c.ref, verdict: c.verdict, reason: c.reason, message: c.message })),
        },
        `light ${change.from ?? "off"} → ${change.to}: ${change.summary}${change.causes.length ? ": " + change.causes.map(describe).join("; ") : ""}`,
      );
    }
    clearTimeout(timer);
    timer = decision.nextWakeAt === undefined ? undefined : setTimeout(reconsider, Math.max(0, decision.nextWakeAt - t) + 1);
  };

  // One line when an object's settled verdict changes; Flux's routine Ready=Unknown blips
  // (progressing and back) say nothing, and the signal line covers a progressing spell that lasts.
  const report = (view: ObjectView, ev: Evaluation, initial: boolean) => {
    const key = refKey(view);
    const said = ev.verdict === "unknown" ? `unknown:${ev.message}` : ev.verdict;
    if (ev.verdict === "progressing" || reported.get(key) === said) return;
    const before = reported.get(key);
    reported.set(key, said);
    if (initial && ev.verdict === "ready" && before === undefined) return; // the list summary counts them
    const fields = { event: "verdict", kind: view.kind, namespace: view.namespace, name: view.name, verdict: ev.verdict, previous: before?.split(":")[0] ?? null, reason: ev.reason, message: ev.message };
    const text = `${view.kind} ${view.namespace}/${view.name} is ${ev.verdict}: ${ev.reason}${ev.message ? ": " + ev.message : ""}`;
    if (ev.verdict === "unknown") log.warn(fields, `${text} (skipped: left out of the light)`);
    else if (ev.verdict === "failed") log.warn(fields, text);
    else log.info(fields, text);
  };

  const upsert = (view: ObjectView, initial: boolean) => {
    const ev = evaluate(view);
    report(view, ev, initial);
    state = observeObject(state, view, ev, now());
  };

  const sink: SourceSink = {
    replaceAll(kind, views) {
      const initial = !listedOnce.has(kind.kind);
      listedOnce.add(kind.kind);
      const present = new Set(views.map(refKey));
      for (const tracked of state.objects.values()) {
        if (tracked.ref.kind === kind.kind && !present.has(refKey(tracked.ref))) {
          state = forgetObject(state, tracked.ref, now());
          reported.delete(refKey(tracked.ref));
        }
      }
      for (const view of views) upsert(view, initial);
      const counts: Record<string, number> = {};
      for (const view of views) {
        const v = state.objects.get(refKey(view))?.evaluation.verdict ?? "unknown";
        counts[v] = (counts[v] ?? 0) + 1;
      }
      log.info({ event: "listed", kind: kind.kind, objects: views.length, verdicts: counts }, `listed ${views.length} ${kind.kind}${views.length === 1 ? "" : "s"}: ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(", ") || "none"}`);
      reconsider();
    },
    upsert(view) {
      upsert(view, false);
      reconsider();
    },
    remove(ref: ObjectRef) {
      state = forgetObject(state, ref, now());
      if (reported.delete(refKey(ref))) log.info({ event: "deleted", kind: ref.kind, namespace: ref.namespace, name: ref.name }, `${ref.kind} ${ref.namespace}/${ref.name} deleted`);
      reconsider();
    },
    connectivity(kind, c) {
      connectivity.set(kind.kind, c);
      state = observeConnectivity(state, combine([...connectivity.values()]), now());
      reconsider();
    },
  };

  link.start();
  const sources = kinds.map((kind) => watchKind(deps.kubeConfig, kind, sink, { log, now }));
  reconsider();

  return {
    get signal() {
      return shown;
    },
    snapshot() {
      const counts = new Map<string, { kind: string; verdict: Verdict; count: number }>();
      for (const tracked of state.objects.values()) {
        const key = `${tracked.ref.kind}/${tracked.evaluation.verdict}`;
        const entry = counts.get(key) ?? { kind: tracked.ref.kind, verdict: tracked.evaluation.verdict, count: 0 };
        entry.count += 1;
        counts.set(key, entry);
      }
      return {
        signal: shown,
        lastTransitionAt,
        objects: [...counts.values()],
        board: { state: link.state, connected: link.state === "connected", path: link.board?.path, firmware: link.board?.firmware },
        watching: kinds.every((k) => connectivity.get(k.kind)?.state === "synced"),
        watchRestarts: sources.reduce((n, s) => n + s.stats.watchRestarts, 0),
        events: sources.reduce((n, s) => n + s.stats.events, 0),
      };
    },
    link,
    sources,
    async stop() {
      clearTimeout(timer);
      for (const s of sources) s.stop();
      await link.stop();
    },
  };
}

/** The view of the whole cluster is as bad as the worst kind's. */
function combine(all: Connectivity[]): Connectivity {
  const order: Connectivity["state"][] = ["forbidden", "missing-crd", "unreachable", "listing", "synced"];
  const sorted = [...all].sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  return sorted[0] ?? { state: "listing" };
}

function describe(c: { ref: ObjectRef; reason: string; message: string }): string {
  return `${c.ref.kind} ${c.ref.namespace}/${c.ref.name} ${c.reason}${c.message ? ": " + c.message : ""}`;
}
