// Several LEDs on one board: the dead-man's switch is told about every pin of every LED, each
// with its own dark level, and never more pins than the firmware holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { HOST_LOST } from "../../agent/light/looks.ts";
import { configureMessage, CONFIGURE, DEADMAN_MAX_PINS } from "../../agent/link/deadman.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";

const ANODE: LedSpec = { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: true };
const PIN13: LedSpec = { kind: "single", pin: 13 };

test("CONFIGURE for an anode RGB LED and a single LED: six entries, the RGB's dark HIGH, pin 13's LOW", () => {
  assert.deepEqual(configureMessage([ANODE, PIN13], 10_000, HOST_LOST), [
    CONFIGURE, 0x10, 0x4e, 0x00,
    9, 3, 0x50, 0x0f, 0x7f, 0x01, 1, // red: pulse 2000 ms
    10, 0, 0, 0, 0, 0, 1, // green: held dark (HIGH, common anode)
    11, 3, 0x50, 0x0f, 0x7f, 0x01, 1, // blue: pulse 2000 ms
    13, 2, 0x50, 0x0f, 0x7f, 0x01, 0, // single: blink 2000 ms
  ]);
  assert.deepEqual(configureMessage([PIN13], 10_000, HOST_LOST), configureMessage(PIN13, 10_000, HOST_LOST), "one LED, as before");
});

test(`the limit is the firmware's: DM_MAX_ENTRIES (${DEADMAN_MAX_PINS}); past it the message is refused, never sent to be ignored`, () => {
  const header = readFileSync(new URL("../../firmware/src/deadman.h", import.meta.url), "utf8");
  assert.equal(Number(/#define DM_MAX_ENTRIES (\d+)/.exec(header)?.[1]), DEADMAN_MAX_PINS);
  const singles = (n: number): LedSpec[] => Array.from({ length: n }, (_, i) => ({ kind: "single", pin: 2 + i }));
  assert.equal(configureMessage(singles(8), 1000, HOST_LOST).length, 4 + 7 * 8);
  assert.throws(() => configureMessage(singles(9), 1000, HOST_LOST), /9 LED pins: the dead-man's switch holds at most 8/);
});
