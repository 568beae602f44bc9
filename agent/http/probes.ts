// What /readyz says: pure, from the snapshot. Ready means the cluster watch is established;
// the board is reported but not required, since a pod restart cannot plug a USB cable back in
// and a kubelet that restarts the agent for it would only add a crash loop.
import type { AgentSnapshot } from "../agent.ts";

export interface Readiness {
  ready: boolean;
  body: {
    watching: boolean;
    board: { state: string; connected: boolean; path: string | null; firmware: string | null };
    /** The first light's signal (the only one without a lights file). */
    signal: string | null;
    /** Each light's signal, by name. */
    lights: Record<string, string | null>;
  };
}

export function readiness(s: AgentSnapshot): Readiness {
  return {
    ready: s.watching,
    body: {
      watching: s.watching,
      // null rather than absent, so that the shape is the same whatever the board is doing.
      board: { state: s.board.state, connected: s.board.connected, path: s.board.path ?? null, firmware: s.board.firmware ?? null },
      signal: s.lights[0]?.signal ?? null,
      lights: Object.fromEntries(s.lights.map((l) => [l.name, l.signal ?? null])),
    },
  };
}
