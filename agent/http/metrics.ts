// /metrics: the agent's snapshot as Prometheus figures, read at scrape time so that a scrape
// always sees what the light sees now. Each registry is its own (never prom-client's global
// one), so several agents — or tests — can live in one process.
//
// The figures are one table, FIGURES: each says its name, type, labels and how to read its
// samples from one snapshot. A new figure, or a new label on one (e.g. which light, which
// cluster), is a change to its row only; createMetrics turns every row into a prom-client metric.
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

/** One sample of a figure; samples with the same labels add up. */
export interface Sample {
  labels?: Record<string, string>;
  value: number;
}

/** One figure of /metrics, as a pure reading of one snapshot at one instant (ms, `now`). */
export interface Figure {
  name: string;
  help: string;
  type: "gauge" | "counter";
  labelNames?: readonly string[];
  samples(snapshot: AgentSnapshot, now: number): Sample[];
}

export const FIGURES: readonly Figure[] = [
  {
    name: "fluxlight_objects",
    help: "Flux objects the agent watches, by kind and by fluxlight's verdict on each (ready, progressing, failed, suspended, terminating, unknown); by cluster (kubeconfig context) when several are watched.",
    type: "gauge",
    labelNames: ["cluster", "kind", "verdict"],
    // One cluster: no cluster label, as before there could be several.
    samples: (s) => s.objects.map(({ cluster, kind, verdict, count }): Sample => ({ labels: cluster === undefined ? { kind, verdict } : { cluster, kind, verdict }, value: count })),
  },
  {
    name: "fluxlight_signal",
    help: "The signal each light shows (light: its name in the lights file, lights[0] without one): 1 for the current one (starting, unknown, failed, progressing or ok), 0 for the others; all 0 before the first.",
    type: "gauge",
    labelNames: ["light", "signal"],
    samples: (s) => s.lights.flatMap((light) => SIGNALS.map((signal) => ({ labels: { light: light.name, signal }, value: signal === light.signal ? 1 : 0 }))),
  },
  {
    name: "fluxlight_cluster_view",
    help: "Several clusters: each one's view of its API server (listing, synced, unreachable, denied, missing-crd), 1 for the current state; absent with one cluster (the signal says it).",
    type: "gauge",
    labelNames: ["cluster", "state"],
    samples: (s) => (s.clusters ?? []).flatMap(({ name, state }) => CLUSTER_VIEWS.map((v) => ({ labels: { cluster: name, state: v }, value: v === state ? 1 : 0 }))),
  },
  {
    name: "fluxlight_board_connected",
    help: "1 when the Arduino is connected and answering Firmata, 0 while it is searched for or reconnecting.",
    type: "gauge",
    samples: (s) => [{ value: s.board.connected ? 1 : 0 }],
  },
  {
    name: "fluxlight_watch_restarts_total",
    help: "Times a watch of the Kubernetes API was started again after it ended or failed (dropped connections, 410 Gone relists).",
    type: "counter",
    samples: (s) => [{ value: s.watchRestarts }],
  },
  {
    name: "fluxlight_events_total",
    help: "Watch events (added, modified, deleted) the agent has processed since it started.",
    type: "counter",
    samples: (s) => [{ value: s.events }],
  },
  {
    name: "fluxlight_seconds_since_transition",
    help: "Seconds since each light last changed signal; NaN before it has shown any.",
    type: "gauge",
    labelNames: ["light"],
    samples: (s, now) => s.lights.map(({ name, lastTransitionAt: at }) => ({ labels: { light: name }, value: at === undefined ? Number.NaN : Math.max(0, now - at) / 1000 })),
  },
];

export function createMetrics(snapshot: () => AgentSnapshot, opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  // One snapshot per scrape, shared by every figure, so that they all describe one instant.
  // prom-client runs every collector synchronously inside registry.metrics() before its first
  // await, so `current` is set for exactly one scrape (a direct get() of one metric takes its own).
  let current: AgentSnapshot | undefined;
  const read = (): AgentSnapshot => current ?? snapshot();
  for (const figure of FIGURES) register(figure, registry, () => figure.samples(read(), opts.now()));

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

/**
 * A figure as a prom-client metric that is emptied and refilled at every scrape, so that labels
 * gone from the snapshot (a kind no longer watched) go from the scrape too. A counter's value is
 * the snapshot's running total, hence reset-and-add rather than an increment per event.
 */
function register(figure: Figure, registry: Registry, samples: () => Sample[]): void {
  const config = { name: figure.name, help: figure.help, labelNames: figure.labelNames ?? [], registers: [registry] };
  const collect = function (this: Gauge | Counter) {
    this.reset();
    for (const { labels, value } of samples()) this.inc(labels ?? {}, value);
  };
  if (figure.type === "counter") new Counter({ ...config, collect });
  else new Gauge({ ...config, collect });
}
