// The board connection machine, as kstatus tests its rules: a table of (state, event, now) →
// (state, actions). No port, no timer: the clock is a number.
import { test } from "node:test";
import assert from "node:assert/strict";
import { IDLE, nextWake, step, type Connection, type LinkAction, type LinkEvent } from "../../agent/link/connection.ts";

const timing = { probeEveryMs: 5000, answerWithinMs: 3000, retryDelay: (n: number) => 500 * 2 ** n };
const connecting: Connection = { phase: "connecting", session: 1, failures: 0 };
const connected: Connection = { phase: "connected", session: 1, failures: 0, path: "/dev/ttyACM0", dueAt: 6000 };
const searching: Connection = { phase: "searching", session: 1, failures: 2, dueAt: 3000 };

interface Case {
  name: string;
  conn: Connection;
  event: LinkEvent;
  now: number;
  expect: Partial<Connection>;
  actions: LinkAction["do"][];
  wake?: number | undefined;
}

const cases: Case[] = [
  { name: "start: look for the board", conn: IDLE, event: { type: "start" }, now: 0, expect: { phase: "connecting", session: 1 }, actions: ["look"] },
  { name: "a port found: connect to it", conn: connecting, event: { type: "found", session: 1, path: "/dev/ttyACM0" }, now: 10, expect: { phase: "connecting", path: "/dev/ttyACM0" }, actions: ["connect"] },
  { name: "no port: search again after the backoff", conn: connecting, event: { type: "found", session: 1, path: undefined }, now: 10, expect: { phase: "searching", failures: 1, dueAt: 510 }, actions: [], wake: 510 },
  { name: "the backoff grows with each failure", conn: { ...connecting, failures: 3 }, event: { type: "failed", session: 1, why: "no Firmata" }, now: 0, expect: { phase: "searching", failures: 4, dueAt: 4000 }, actions: ["drop"] },
  { name: "due: look again, as a new session", conn: searching, event: { type: "tick" }, now: 3000, expect: { phase: "connecting", session: 2 }, actions: ["look"] },
  { name: "not yet due: nothing", conn: searching, event: { type: "tick" }, now: 2999, expect: searching, actions: [], wake: 3000 },
  { name: "ready: connected, backoff reset, first probe due", conn: { ...connecting, failures: 3 }, event: { type: "ready", session: 1 }, now: 1000, expect: { phase: "connected", failures: 0, dueAt: 6000 }, actions: [], wake: 6000 },
  { name: "probe due: ask, expect an answer", conn: connected, event: { type: "tick" }, now: 6000, expect: { dueAt: 11_000, answerBy: 9000 }, actions: ["probe"], wake: 9000 },
  { name: "answered: no deadline", conn: { ...connected, answerBy: 9000 }, event: { type: "answered", session: 1 }, now: 7000, expect: { answerBy: undefined }, actions: [], wake: 6000 },
  {
    name: "no answer by the deadline: lost, reconnect soon",
    conn: { ...connected, dueAt: 11_000, answerBy: 9000 },
    event: { type: "tick" },
    now: 9000,
    expect: { phase: "searching", failures: 1, dueAt: 9500 },
    actions: ["drop"],
  },
  { name: "the port closed while connected: drop, search", conn: connected, event: { type: "lost", session: 1, why: "port closed" }, now: 100, expect: { phase: "searching", dueAt: 600 }, actions: ["drop"] },
  { name: "the board reset (same as lost)", conn: connected, event: { type: "lost", session: 1, why: "the board reset itself" }, now: 100, expect: { phase: "searching" }, actions: ["drop"] },
  { name: "a late close from an older session: ignored", conn: { ...connected, session: 2 }, event: { type: "lost", session: 1, why: "port closed" }, now: 100, expect: { phase: "connected", session: 2 }, actions: [] },
  { name: "a close after the drop: ignored", conn: searching, event: { type: "lost", session: 1, why: "port closed" }, now: 100, expect: searching, actions: [] },
  { name: "stop: release, and nothing after", conn: connected, event: { type: "stop" }, now: 100, expect: { phase: "stopped" }, actions: ["release"], wake: undefined },
  { name: "stopped stays stopped", conn: { ...IDLE, phase: "stopped" }, event: { type: "start" }, now: 100, expect: { phase: "stopped" }, actions: [] },
];

for (const c of cases) {
  test(`connection: ${c.name}`, () => {
    const { conn, actions } = step(c.conn, c.event, c.now, timing);
    for (const [k, v] of Object.entries(c.expect)) assert.deepEqual(conn[k as keyof Connection], v, k);
    assert.deepEqual(actions.map((a) => a.do), c.actions);
    if ("wake" in c) assert.equal(nextWake(conn), c.wake);
  });
}

test("connection: a drop says whether the board had been connected, and why", () => {
  const lost = step(connected, { type: "lost", session: 1, why: "port closed" }, 0, timing).actions[0];
  assert.deepEqual(lost, { do: "drop", session: 1, path: "/dev/ttyACM0", why: "port closed", wasConnected: true, cause: "lost" });
  const failed = step({ ...connecting, path: "/dev/x" }, { type: "failed", session: 1, why: "handshake" }, 0, timing).actions[0];
  assert.deepEqual(failed, { do: "drop", session: 1, path: "/dev/x", why: "handshake", wasConnected: false, cause: "failed" });
});
