// A traffic-light module's looks (`--led traffic:R,Y,G`): what each signal lights, what the
// firmware is told to draw for host lost, which board pins it accepts, and how the demo names it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HOST_LOST, TRAFFIC_LOOKS } from "../../agent/light/looks.ts";
import { configureMessage, CONFIGURE } from "../../agent/link/deadman.ts";
import { checkPins } from "../../agent/link/pins.ts";
import { storyName, viewLed } from "../../agent/demo/led-view.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";
import type { Signal } from "../../agent/model.ts";

const TRAFFIC: LedSpec = { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } };

test("what each signal lights on a traffic module", () => {
  const cases: [Signal, string[][], number | undefined][] = [
    ["ok", [["green"]], undefined],
    ["failed", [["red"]], undefined],
    ["progressing", [["yellow"], []], 500],
    ["unknown", [["red"], ["yellow"]], 1000],
    ["starting", [["red", "yellow"], []], 150],
  ];
  for (const [signal, frames, stepMs] of cases) {
    assert.deepEqual(TRAFFIC_LOOKS[signal].frames, frames, signal);
    assert.equal(TRAFFIC_LOOKS[signal].stepMs, stepMs, signal);
  }
});

test("green is lit for ok and for nothing else, host lost included", () => {
  for (const [signal, look] of Object.entries(TRAFFIC_LOOKS)) {
    const green = look.frames.some((f) => f.includes("green"));
    assert.equal(green, signal === "ok", `${signal} ${green ? "lights" : "never lights"} green`);
  }
  assert.equal(HOST_LOST.traffic.green.pattern, "off");
});

test("no two signals look alike, and host lost looks like none of them", () => {
  const key = (frames: string[][], stepMs?: number) => JSON.stringify([frames, stepMs]);
  const keys = Object.values(TRAFFIC_LOOKS).map((l) => key(l.frames, l.stepMs));
  // Host lost as the firmware draws it: both blinks start together, lit the first half of the period.
  const { red, yellow } = HOST_LOST.traffic;
  assert.deepEqual([red.pattern, yellow.pattern, red.periodMs], ["blink", "blink", yellow.periodMs]);
  keys.push(key([["red", "yellow"], []], red.periodMs / 2));
  assert.equal(new Set(keys).size, keys.length, keys.join(" "));
});

test("CONFIGURE for a traffic module: red and yellow blink 2 s, green held dark, cathode wiring", () => {
  assert.deepEqual(configureMessage(TRAFFIC, 10_000, HOST_LOST), [
    CONFIGURE, 0x10, 0x4e, 0x00,
    2, 2, 0x50, 0x0f, 0x7f, 0x01, 0,
    3, 2, 0x50, 0x0f, 0x7f, 0x01, 0,
    4, 0, 0, 0, 0, 0, 0,
  ]);
});

test("a traffic module needs plain outputs, not PWM", () => {
  const out = { supportedModes: [0, 1, 11] };
  const pwm = { supportedModes: [0, 1, 3, 11] };
  const serial = { supportedModes: [] };
  const uno = [serial, serial, out, pwm, out, pwm, pwm, out, out, pwm, pwm, pwm, out, out];
  assert.equal(checkPins(uno, TRAFFIC), undefined);
  assert.equal(checkPins(uno, { kind: "traffic", pins: { red: 7, yellow: 8, green: 12 } }), undefined);
  assert.match(checkPins(uno, { kind: "traffic", pins: { red: 7, yellow: 8, green: 16 } }) ?? "", /pin 16 does not exist on this board/);
  // The same pins as RGB would need PWM.
  assert.match(checkPins(uno, { kind: "rgb", pins: { red: 7, green: 8, blue: 12 }, anode: false }) ?? "", /pin 7 has no PWM/);
});

test("the demo names a traffic module by its lit lamps", () => {
  const view = (lit: number[]) => viewLed(TRAFFIC, (pin) => (lit.includes(pin) ? 1 : 0));
  assert.equal(view([4]).name, "green");
  assert.equal(view([2]).name, "red");
  assert.equal(view([2, 3]).name, "red+yellow");
  assert.equal(view([]).name, "off");
  assert.equal(view([3]).pins, "2=0% 3=100% 4=0%");
  assert.deepEqual(view([4]).lamps, [[0, 0, 0], [0, 0, 0], [0, 255, 0]]);
});

test("the demo's story colours as each wiring shows them", () => {
  const rgb: LedSpec = { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false };
  const single: LedSpec = { kind: "single", pin: 13 };
  assert.deepEqual(["green", "red", "amber"].map((c) => storyName(TRAFFIC, c)), ["green", "red", "yellow"]);
  assert.deepEqual(["green", "red", "amber"].map((c) => storyName(single, c)), ["off", "on", "off"]);
  assert.deepEqual(["green", "red", "amber"].map((c) => storyName(rgb, c)), ["green", "red", "amber"]);
});
