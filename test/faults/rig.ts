// The fault suite's rig: test/e2e's in-process rig (local API server, emulated Uno on fluxlight's
// firmware, the agent in this process) with the knobs faults need — a short grace, a fast
// rediscovery — and small helpers to make Flux objects pass and fail.
import type { ApiServer } from "../../agent/sim/apiserver/server.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { reconcileFailed, reconcileSucceeded } from "../../agent/sim/flux/controller.ts";
import { startInProcess, RGB, type Board, type InProcessRig, type LogBook, type RigSettings } from "../e2e/harness.ts";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
export { sleep };

/** A TCP port free on loopback right now, for an agent's --http. */
export async function freePort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

export const GRACE = 1500;

export interface FaultRig extends InProcessRig {
  server: ApiServer;
  /** Every log line as written, for length and one-line checks. */
  raw: string[];
}

export async function startFaultRig(o: { objects?: JsonObject[]; crds?: string[]; settings?: RigSettings; rediscoverMs?: number; requestDeadlineMs?: number } = {}): Promise<FaultRig> {
  const rig = await startInProcess({ ...o, led: RGB, settings: { progressGraceMs: GRACE, ...o.settings } });
  return Object.assign(rig, { server: rig.cluster.server, raw: rig.logs.raw });
}

export const ks = (name: string, namespace = "flux-system") => ({ kind: "Kustomization", namespace, name });

/** The controller's run fails (Ready=False, BuildFailed). */
export function fail(server: ApiServer, ref: { kind: string; namespace: string; name: string }, message = "kustomize build failed: accumulating resources"): void {
  server.updateStatus(ref, reconcileFailed(server.get(ref)!, "BuildFailed", message));
}

/** The controller's run succeeds (Ready=True). */
export function succeed(server: ApiServer, ref: { kind: string; namespace: string; name: string }, revision = "rev-2"): void {
  server.updateStatus(ref, reconcileSucceeded(server.get(ref)!, revision));
}


/** Lines logged since `from` (an index into logs.lines) that match. */
export function since(logs: LogBook, from: number, pred: (l: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return logs.lines.slice(from).filter(pred);
}

/**
 * Waits for the LED to read `unknown` on the chip: blue blinking — full blue and off, nothing
 * in between (`starting` pulses blue through every level) and no other colour.
 */
export async function waitForBlueBlink(rig: Board, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < end) {
    const levels: number[] = [];
    const names = new Set<string>();
    const stop = Date.now() + 1200;
    while (Date.now() < stop) {
      names.add(rig.led().name);
      levels.push(rig.uno.pin(11).duty); // RGB's blue
      await sleep(10);
    }
    const full = levels.filter((d) => d > 0.98).length;
    const dark = levels.filter((d) => d < 0.02).length;
    last = `${[...names].join(",")}; blue duty 100% ${full}/${levels.length}, 0% ${dark}/${levels.length}`;
    if (names.size === 2 && names.has("blue") && names.has("off") && full + dark >= levels.length - 2 && full > 10 && dark > 10) return;
  }
  throw new Error(`the LED never blinked blue within ${timeoutMs} ms: last saw ${last}`);
}
