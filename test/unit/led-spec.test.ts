import { test } from "node:test";
import assert from "node:assert/strict";
import { formatLedSpec, parseLedSpec } from "../../agent/light/led-spec.ts";

test("LED specs that parse", () => {
  assert.deepEqual(parseLedSpec("single:13"), { ok: true, value: { kind: "single", pin: 13 } });
  assert.deepEqual(parseLedSpec("single:A0"), { ok: true, value: { kind: "single", pin: 14 } });
  assert.deepEqual(parseLedSpec("rgb:9,10,11"), { ok: true, value: { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false } });
  assert.deepEqual(parseLedSpec("rgb-anode:3,a5,6"), { ok: true, value: { kind: "rgb", pins: { red: 3, green: 19, blue: 6 }, anode: true } });
  assert.deepEqual(parseLedSpec("single:2"), { ok: true, value: { kind: "single", pin: 2 } });
  assert.deepEqual(parseLedSpec("single:19"), { ok: true, value: { kind: "single", pin: 19 } });
  assert.deepEqual(parseLedSpec("traffic:2,3,4"), { ok: true, value: { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } } });
  assert.deepEqual(parseLedSpec("Traffic: 7, A1 ,12"), { ok: true, value: { kind: "traffic", pins: { red: 7, yellow: 15, green: 12 } } });
});

test("round trip through formatLedSpec", () => {
  for (const text of ["single:13", "rgb:9,10,11", "rgb-anode:3,5,6", "traffic:2,3,4"]) {
    const r = parseLedSpec(text);
    assert.ok(r.ok);
    assert.equal(formatLedSpec(r.value), text);
  }
});

test("bad LED specs say what is wrong", () => {
  const cases: [string, string][] = [
    ["rgb:9,10", '"rgb:9,10" needs three pins: rgb:R,G,B, e.g. rgb:9,10,11'],
    ["rgb-anode:9,10,11,12", '"rgb-anode:9,10,11,12" needs three pins: rgb-anode:R,G,B, e.g. rgb-anode:9,10,11'],
    ["rgb:9,,11", '"rgb:9,,11" needs three pins: rgb:R,G,B, e.g. rgb:9,10,11'],
    ["single", '"single" needs one pin: single:PIN, e.g. single:13'],
    ["single:", '"single:" needs one pin: single:PIN, e.g. single:13'],
    ["single:1", '"single:1": pin 1 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    ["rgb:0,10,11", '"rgb:0,10,11": pin 0 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    ["single:20", '"single:20": pin 20 is not an Uno pin: use 2..19 or A0..A5'],
    ["single:A6", '"single:A6": A6 is not an Uno pin: analog pins are A0..A5'],
    ["single:D13", '"single:D13": "D13" is not a pin: use a number 2..19 or A0..A5'],
    ["single:-3", '"single:-3": "-3" is not a pin: use a number 2..19 or A0..A5'],
    ["rgb:9,9,10", '"rgb:9,9,10" uses pin 9 twice: each colour needs its own pin'],
    ["rgb:14,10,A0", '"rgb:14,10,A0" uses pin 14 twice: each colour needs its own pin'],
    ["traffic:2,3", '"traffic:2,3" needs three pins: traffic:R,Y,G (red, yellow, green), e.g. traffic:2,3,4'],
    ["traffic", '"traffic" needs three pins: traffic:R,Y,G (red, yellow, green), e.g. traffic:2,3,4'],
    ["traffic:2,3,4,5", '"traffic:2,3,4,5" needs three pins: traffic:R,Y,G (red, yellow, green), e.g. traffic:2,3,4'],
    ["traffic:4,3,4", '"traffic:4,3,4" uses pin 4 twice: each colour needs its own pin'],
    ["traffic:1,3,4", '"traffic:1,3,4": pin 1 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    ["traffic:2,0,4", '"traffic:2,0,4": pin 0 is the serial line that carries Firmata: use 2..19 or A0..A5'],
    ["traffic:2,3,20", '"traffic:2,3,20": pin 20 is not an Uno pin: use 2..19 or A0..A5'],
    ["traffic:2,3,A7", '"traffic:2,3,A7": A7 is not an Uno pin: analog pins are A0..A5'],
    ["strip:3", '"strip:3" is not an LED wiring: use single:PIN, rgb:R,G,B, rgb-anode:R,G,B or traffic:R,Y,G'],
    ["", '"" is not an LED wiring: use single:PIN, rgb:R,G,B, rgb-anode:R,G,B or traffic:R,Y,G'],
  ];
  for (const [text, error] of cases) assert.deepEqual(parseLedSpec(text), { ok: false, error }, text);
});
