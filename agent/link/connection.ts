// The board connection as a state machine: events and the clock in, actions out. Pure, so that
// every rule (look again after a backoff, probe a connected board, give up on a silent one)
// is one row of a table test; ./board.ts performs the actions and reports what happened.
//
//   idle ──start──▶ connecting ──ready──▶ connected ──lost / silent──▶ searching ──due──▶ connecting
//                      │  ▲                                               ▲
//                      └──┼── no port / failed / lost ────────────────────┘
//                         └── (retry after a backoff that grows until the next connect)
// Every attempt to connect is a session, numbered: a late report from an older session (a port
// closing after its successor opened) is ignored.

export type Phase = "idle" | "searching" | "connecting" | "connected" | "stopped";

export interface Connection {
  phase: Phase;
  /** The current (or last) session. */
  session: number;
  path?: string;
  /** Failed attempts since the last connect: the backoff grows with it. */
  failures: number;
  /** searching: when to look again; connected: when to probe next. */
  dueAt?: number;
  /** connected: a probe is out and must be answered by then. */
  answerBy?: number;
}

export type LinkEvent =
  | { type: "start" }
  | { type: "tick" } // the timer for nextWake() fired
  | { type: "found"; session: number; path: string | undefined } // the port to try, or none
  | { type: "ready"; session: number } // handshake done, capabilities fit, the lamp drawn
  | { type: "failed"; session: number; why: string } // could not open or handshake
  | { type: "lost"; session: number; why: string } // port error or close, or the board reset
  | { type: "answered"; session: number } // the probe's answer
  | { type: "stop" };

export type LinkAction =
  | { do: "look"; session: number } // find the port: the given path, or by USB id
  | { do: "connect"; session: number; path: string } // open, handshake, check pins, draw
  | { do: "probe"; session: number } // ask the board something it must answer
  /** Let the port go; `cause` failed: the failure was said where it happened. */
  | { do: "drop"; session: number; path?: string; why: string; wasConnected: boolean; cause: "failed" | "lost" }
  | { do: "release" }; // stopped: switch the LED off and close the port

export interface LinkTiming {
  probeEveryMs: number;
  answerWithinMs: number;
  /** The wait before attempt `failures + 1`. */
  retryDelay(failures: number): number;
}

export const IDLE: Connection = { phase: "idle", session: 0, failures: 0 };

type Step = { conn: Connection; actions: LinkAction[] };

export function step(conn: Connection, event: LinkEvent, now: number, timing: LinkTiming): Step {
  if (conn.phase === "stopped") return { conn, actions: [] };
  if (event.type === "stop") return { conn: { ...conn, phase: "stopped", dueAt: undefined, answerBy: undefined }, actions: [{ do: "release" }] };
  if (event.type === "start") return conn.phase === "idle" ? look(conn) : { conn, actions: [] };
  if (event.type === "tick") return tick(conn, now, timing);
  // Reports from an older session are history.
  if (event.session !== conn.session) return { conn, actions: [] };
  switch (event.type) {
    case "found":
      if (conn.phase !== "connecting") return { conn, actions: [] };
      if (event.path === undefined) return retry({ ...conn, path: undefined }, now, timing, []);
      return { conn: { ...conn, path: event.path }, actions: [{ do: "connect", session: conn.session, path: event.path }] };
    case "ready":
      if (conn.phase !== "connecting") return { conn, actions: [] };
      return { conn: { ...conn, phase: "connected", failures: 0, dueAt: now + timing.probeEveryMs, answerBy: undefined }, actions: [] };
    case "failed":
    case "lost":
      if (conn.phase !== "connecting" && conn.phase !== "connected") return { conn, actions: [] };
      return retry(conn, now, timing, [{ do: "drop", session: conn.session, path: conn.path, why: event.why, wasConnected: conn.phase === "connected", cause: event.type }]);
    case "answered":
      return { conn: { ...conn, answerBy: undefined }, actions: [] };
  }
}

/** The instant the machine wants a tick, if any. */
export function nextWake(conn: Connection): number | undefined {
  if (conn.phase === "connected" && conn.answerBy !== undefined) return Math.min(conn.answerBy, conn.dueAt ?? Infinity);
  return conn.phase === "searching" || conn.phase === "connected" ? conn.dueAt : undefined;
}

function look(conn: Connection): Step {
  const session = conn.session + 1;
  return { conn: { ...conn, phase: "connecting", session, dueAt: undefined, answerBy: undefined }, actions: [{ do: "look", session }] };
}

function retry(conn: Connection, now: number, timing: LinkTiming, actions: LinkAction[]): Step {
  const dueAt = now + timing.retryDelay(conn.failures);
  return { conn: { ...conn, phase: "searching", failures: conn.failures + 1, dueAt, answerBy: undefined }, actions };
}

function tick(conn: Connection, now: number, timing: LinkTiming): Step {
  if (conn.phase === "searching" && conn.dueAt !== undefined && now >= conn.dueAt) return look(conn);
  if (conn.phase !== "connected") return { conn, actions: [] };
  if (conn.answerBy !== undefined && now >= conn.answerBy) {
    const why = `the board on ${conn.path} stopped answering Firmata`;
    // A silent board is lost like an unplugged one: the retry after it starts at the shortest wait.
    return retry(conn, now, timing, [{ do: "drop", session: conn.session, path: conn.path, why, wasConnected: true, cause: "lost" }]);
  }
  if (conn.dueAt !== undefined && now >= conn.dueAt) {
    // A probe still out when the next is due keeps its own deadline.
    const answerBy = conn.answerBy ?? now + timing.answerWithinMs;
    return { conn: { ...conn, dueAt: now + timing.probeEveryMs, answerBy }, actions: [{ do: "probe", session: conn.session }] };
  }
  return { conn, actions: [] };
}
