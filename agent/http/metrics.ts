// /metrics: the agent's snapshot as Prometheus figures, read at scrape time so that a scrape
// always sees what the light sees now. Each registry is its own (never prom-client's global
// one), so several agents — or tests — can live in one process.
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { AgentSnapshot } from "../agent.ts";
import { SIGNALS, type ClusterView } from "../model.ts";

/** The signal gauge always carries every signal (1 for the one shown). */
export { SIGNALS };

/** Every state of a cluster's view, so that a scrape shows each cluster's as one 1 among 0s. */
const CLUSTER_VIEWS = ["listing", "synced", "unreachable", "denied", "missing-crd"] as const satisfies readonly ClusterView["state"][];

export interface MetricsOptions {
  /** ms, the same clock as the snapshot's lastTransitionAt. */
  now: () => number;
  /** Process metrics (CPU, memory, event loop lag, …); off only where they would be noise. */
  processMetrics?: boolean;
}

export interface Metrics {
  registry: Registry;
  /** The text of one scrape, and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(snapshot: () => AgentSnapshot, opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  // One snapshot per scrape, shared by every figure below, so that they all describe one
  // instant. prom-client runs every collector synchronously inside registry.metrics() before
  // its first await, so `current` is set for exactly one scrape (a direct get() of one metric
  // takes its own).
  let current: AgentSnapshot | undefined;
  const read = (): AgentSnapshot => current ?? snapshot();

  new Gauge({
    name: "fluxlight_objects",
    help: "Flux objects the agent watches, by kind and by fluxlight's verdict on each (ready, progressing, failed, suspended, terminating, unknown); by cluster (kubeconfig context) when several are watched.",
    labelNames: ["cluster", "kind", "verdict"],
    registers,
    collect() {
      this.reset();
      // One cluster: no cluster label, as before there could be several.
      for (const { cluster, kind, verdict, count } of read().objects) this.inc(cluster === undefined ? { kind, verdict } : { cluster, kind, verdict }, count);
    },
  });
  new Gauge({
    name: "fluxlight_signal",
    help: "The signal the light shows: 1 for the current one (starting, unknown, failed, progressing or ok), 0 for the others; all 0 before the first.",
    labelNames: ["signal"],
    registers,
    collect() {
      const shown = read().signal;
      for (const signal of SIGNALS) this.set({ signal }, signal === shown ? 1 : 0);
    },
  });
  new Gauge({
    name: "fluxlight_cluster_view",
    help: "Several clusters: each one's view of its API server (listing, synced, unreachable, denied, missing-crd), 1 for the current state; absent with one cluster (the signal says it).",
    labelNames: ["cluster", "state"],
    registers,
    collect() {
      this.reset();
      for (const { name, state } of read().clusters ?? []) for (const s of CLUSTER_VIEWS) this.set({ cluster: name, state: s }, s === state ? 1 : 0);
    },
  });
  new Gauge({
    name: "fluxlight_board_connected",
    help: "1 when the Arduino is connected and answering Firmata, 0 while it is searched for or reconnecting.",
    registers,
    collect() {
      this.set(read().board.connected ? 1 : 0);
    },
  });
  new Counter({
    name: "fluxlight_watch_restarts_total",
    help: "Times a watch of the Kubernetes API was started again after it ended or failed (dropped connections, 410 Gone relists).",
    registers,
    collect() {
      this.reset();
      this.inc(read().watchRestarts);
    },
  });
  new Counter({
    name: "fluxlight_events_total",
    help: "Watch events (added, modified, deleted) the agent has processed since it started.",
    registers,
    collect() {
      this.reset();
      this.inc(read().events);
    },
  });
  new Gauge({
    name: "fluxlight_seconds_since_transition",
    help: "Seconds since the light last changed signal; NaN before it has shown any.",
    registers,
    collect() {
      const at = read().lastTransitionAt;
      this.set(at === undefined ? Number.NaN : Math.max(0, opts.now() - at) / 1000);
    },
  });

  return {
    registry,
    async scrape() {
      current = snapshot();
      let text: Promise<string>;
      try {
        text = registry.metrics();
      } finally {
        current = undefined;
      }
      return { contentType: registry.contentType, body: await text };
    },
  };
}
