// The naive baseline the benchmark measures fluxlight against: what a person writes in an
// afternoon. client-node's makeInformer keeps every whole Kustomization in its cache; every
// event (each ADDED of the initial list included) recomputes "any Ready=False?" over the cache
// and redraws the LED with johnny-five over firmata-io, changed or not. No projection, no
// hysteresis, no dead-man's switch, no reconnect.
//
//   startNaive({ kubeconfig, port })                       in-process (the bench's own serial port)
//   node test/bench/naive-agent.ts --kubeconfig K --serial PATH [--led single:13|rgb:9,10,11] [--metrics-port N]
//     as a child process on a real serial port; prints JSON lines: listing, verdict, ready;
//     with --metrics-port, GET http://127.0.0.1:N/ answers `naive_events_total COUNT` (the bench
//     polls it, as it polls fluxlight's /metrics).
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject, type KubernetesListObject } from "@kubernetes/client-node";
import firmataIo from "firmata-io";
import five from "johnny-five";
import type { SerialPortLike } from "../../agent/link/ports.ts";

const { Firmata } = firmataIo;

type Obj = KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } };

export interface NaiveOptions {
  kubeconfig: string;
  port: SerialPortLike;
  led?: "single:13" | "rgb:9,10,11";
  /** Every informer event, after the redraw (the bench counts them). */
  onEvent?: () => void;
  /** Each time the computed verdict is drawn the first time after it changed. */
  onVerdict?: (failed: boolean) => void;
  /** Just before the informer's list starts (the board is ready by then). */
  onListing?: () => void;
}

export interface Naive {
  stop(): Promise<void>;
  readonly events: number;
  /** performance.now() when the informer started its list (after the board was ready). */
  readonly listStartedAt: number;
}

export async function startNaive(o: NaiveOptions): Promise<Naive> {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = () => api.listClusterCustomObject({ group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" }) as Promise<KubernetesListObject<Obj>>;
  const informer = makeInformer<Obj>(kc, "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations", list);

  const io = new Firmata(o.port);
  const board = new five.Board({ io, repl: false, debug: false, sigint: false });
  await new Promise<void>((resolve) => board.once("ready", () => resolve()));
  const rgb = o.led === "rgb:9,10,11";
  const led = rgb ? new five.Led.RGB({ pins: { red: 9, green: 10, blue: 11 }, board }) : new five.Led({ pin: 13, board });

  let events = 0;
  let last: boolean | undefined;
  const redraw = () => {
    const failed = informer.list().some((obj) => obj.status?.conditions?.some((c) => c.type === "Ready" && c.status === "False"));
    if (rgb) (led as InstanceType<typeof five.Led.RGB>).color(failed ? "#ff0000" : "#00ff00");
    else if (failed) led.on();
    else led.off();
    if (failed !== last) {
      last = failed;
      o.onVerdict?.(failed);
    }
  };
  const onEvent = () => {
    events += 1;
    redraw();
    o.onEvent?.();
  };
  informer.on("add", onEvent);
  informer.on("update", onEvent);
  informer.on("delete", onEvent);
  informer.on("error", () => setTimeout(() => void informer.start(), 1000));
  const listStartedAt = performance.now();
  o.onListing?.();
  await informer.start();
  redraw();
  return {
    listStartedAt,
    get events() {
      return events;
    },
    async stop() {
      await informer.stop();
      if (rgb) (led as InstanceType<typeof five.Led.RGB>).off();
      else led.off();
      await new Promise<void>((resolve) => o.port.close(() => resolve()));
    },
  };
}

// As a command: a child process on a real serial port.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const { SerialPort } = await import("serialport");
  const port = new SerialPort({ path: arg("serial")!, baudRate: 57600 }) as unknown as SerialPortLike;
  const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
  const naive = await startNaive({
    kubeconfig: arg("kubeconfig")!,
    port,
    led: (arg("led") as NaiveOptions["led"]) ?? "single:13",
    onVerdict: (failed) => say({ event: "verdict", failed }),
    onListing: () => say({ event: "listing" }),
  });
  const metricsPort = arg("metrics-port");
  if (metricsPort) {
    const { createServer } = await import("node:http");
    createServer((_req, res) => res.end(`naive_events_total ${naive.events}\n`)).listen(Number(metricsPort), "127.0.0.1");
  }
  say({ event: "ready" });
  const stop = () => void naive.stop().finally(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}
