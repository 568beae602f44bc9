// The dead-man's QUERY reply as the agent reads it (firmware/README.md, "fluxlight sysex
// messages"): flags, timeout and episode count in 7-bit groups.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseQueryReply } from "../../agent/link/deadman.ts";

test("QUERY reply: each flag bit, the 21-bit timeout, the 14-bit count; too short is undefined", () => {
  assert.deepEqual(parseQueryReply([0x01, 0x10, 0x4e, 0x00, 3, 0]), { armed: true, wasLost: false, persisted: false, watchdogReset: false, timeoutMs: 10_000, episodes: 3 });
  assert.deepEqual(parseQueryReply([0x0e, 0, 0, 0, 0x7f, 0x7f, 9, 2, 0, 0, 0, 0, 0]), { armed: false, wasLost: true, persisted: true, watchdogReset: true, timeoutMs: 0, episodes: 16_383 });
  assert.equal(parseQueryReply([0x08, 0x10, 0x4e, 0x00, 3, 0])?.watchdogReset, true, "bit 3: running since a watchdog reset (firmware 0.2)");
  assert.equal(parseQueryReply([0x7f, 0x7f, 0x7f])?.timeoutMs, undefined);
});
