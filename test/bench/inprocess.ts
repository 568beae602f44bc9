// fluxlight's agent and the naive baseline in the bench's own process, each on its own emulated
// Uno through the in-process serial binding, with the serial port's write() and the chip's
// serial input hooked: the latency, throughput and list figures are taken here.
import { Writable } from "node:stream";
import { SerialPortStream } from "@serialport/stream";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { startAgent, type Agent } from "../../agent/agent.ts";
import { singleLight } from "../../agent/lights.ts";
import { createLog } from "../../agent/log/logger.ts";
import type { SerialPortLike } from "../../agent/link/ports.ts";
import { parseLedSpec } from "../../agent/light/led-spec.ts";
import type { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoBinding } from "../../agent/sim/uno/binding.ts";
import { emulatedUno, sleep, type Cluster } from "./lib.ts";
import { startNaive, type Naive } from "./naive-agent.ts";

export interface Hooked {
  uno: EmulatedUno;
  /** performance.now() of every write() the agent made on the serial port. */
  writes: number[];
  /** Every chunk reaching the chip's serial input: wall time and emulated ms at that moment. */
  arrivals: { wall: number; emu: number }[];
  /** Watch events the agent has processed. */
  events(): number;
  /** performance.now() at which the first complete verdict was known (list done, light decided). */
  firstVerdictAt(): number | undefined;
  startedAt: number;
  stop(): Promise<void>;
}

function hookedPort(uno: EmulatedUno, writes: number[], arrivals: Hooked["arrivals"]): { open(path: string): SerialPortLike; binding: UnoBinding } {
  const binding = new UnoBinding();
  binding.attach("/dev/ttyACM0", uno);
  const inner = uno.writeSerial.bind(uno);
  uno.writeSerial = (bytes) => {
    arrivals.push({ wall: performance.now(), emu: uno.millis });
    inner(bytes);
  };
  return {
    binding,
    open(path) {
      const port = new SerialPortStream({ binding, path, baudRate: 57600 }) as unknown as SerialPortLike;
      const write = port.write.bind(port);
      (port as { write: SerialPortLike["write"] }).write = (data, cb) => {
        writes.push(performance.now());
        return write(data, cb);
      };
      return port;
    },
  };
}

export async function fluxlightInProcess(cluster: Cluster, o: { led?: string } = {}): Promise<Hooked & { agent: Agent }> {
  const uno = await emulatedUno();
  const writes: number[] = [];
  const arrivals: Hooked["arrivals"] = [];
  const port = hookedPort(uno, writes, arrivals);
  let firstVerdictAt: number | undefined;
  // The log goes nowhere, except that the first signal line marks the first verdict.
  const sink = new Writable({
    write(chunk, _enc, done) {
      if (firstVerdictAt === undefined && String(chunk).includes('"event":"signal"') && !String(chunk).includes('"to":"starting"')) firstVerdictAt = performance.now();
      done();
    },
  });
  const led = parseLedSpec(o.led ?? "single:13");
  if (!led.ok) throw new Error(led.error);
  const startedAt = performance.now();
  const agent = startAgent(
    { lights: [singleLight({ led: led.value, namespaces: [] })], serial: "/dev/ttyACM0", usbIds: [], progressGraceMs: 20_000, stuckAfterMs: 600_000, heartbeatTimeoutMs: 10_000 },
    { cluster: loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}), access: { open: port.open, list: () => port.binding.list() }, log: createLog({ level: "info", format: "json", destination: sink }), onFatal: (m) => { throw new Error(m); } },
  );
  return {
    agent,
    uno,
    writes,
    arrivals,
    startedAt,
    events: () => agent.snapshot().events,
    firstVerdictAt: () => firstVerdictAt,
    async stop() {
      await agent.stop();
      uno.stop();
    },
  };
}

export async function naiveInProcess(cluster: Cluster, o: { led?: "single:13" | "rgb:9,10,11" } = {}): Promise<Hooked & { naive: Naive }> {
  const uno = await emulatedUno();
  const writes: number[] = [];
  const arrivals: Hooked["arrivals"] = [];
  const port = hookedPort(uno, writes, arrivals);
  const naive = await startNaive({ kubeconfig: cluster.kubeconfig, port: port.open("/dev/ttyACM0"), led: o.led });
  const startedAt = naive.listStartedAt;
  const firstVerdictAt = performance.now(); // startNaive resolves after the informer's list and the redraw
  return {
    naive,
    uno,
    writes,
    arrivals,
    startedAt,
    events: () => naive.events,
    firstVerdictAt: () => firstVerdictAt,
    async stop() {
      await naive.stop();
      await sleep(50);
      uno.stop();
    },
  };
}
