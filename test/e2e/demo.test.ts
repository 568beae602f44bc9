// `npm run demo` is one of the two commands a new user runs: its story must play out on the
// emulated chip, every scene showing what it says it shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { defaults } from "../../agent/cli/config.ts";
import { runDemo } from "../../agent/demo/demo.ts";
import { viewLed } from "../../agent/demo/led-view.ts";
import type { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";

test("the demo's story plays out on the emulated chip: every scene shows its colour", async () => {
  let out = "";
  let chip: { uno: EmulatedUno; led: LedSpec } | undefined;
  // The test's own reading of the chip's pins, taken when the demo ends each scene: not the
  // demo's word for what it showed.
  const onChip: string[] = [];
  const screen = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      out += text;
      if (chip && /LED: /.test(text)) onChip.push(viewLed(chip.led, (pin) => chip!.uno.pin(pin).duty).name);
      done();
    },
  });
  const config = { ...defaults(), progressGrace: 1000, logLevel: "info" as const };
  const result = await runDemo(config, { ledGiven: false, graceGiven: true }, screen, (uno, led) => (chip = { uno, led }));
  assert.deepEqual(onChip, ["green", "green", "red", "green", "amber", "green", "red", "green"], `the chip's pins at each scene's end:\n${out}`);
  assert.equal(result.matched, result.scenes, `the demo agrees with the chip:\n${out}`);
  assert.match(out, /board connected on \/dev\/ttyACM0 \(fluxlight 0\.2\)/);
  assert.match(out, /light ok → failed: .*Bucket flux-system\/caddy-bucket BucketOperationFailed/);
  assert.match(out, /demo over: 8 of 8 scenes/);
});

test("the demo on a traffic-light module (--led traffic:2,3,4): the same story in red, yellow and green", async () => {
  let out = "";
  const screen = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const config = { ...defaults(), led: { kind: "traffic" as const, pins: { red: 2, yellow: 3, green: 4 } }, progressGrace: 1000, logLevel: "info" as const };
  const result = await runDemo(config, { ledGiven: true, graceGiven: true }, screen);
  assert.equal(result.matched, result.scenes, `every scene as expected:\n${out}`);
  const seen = [...out.matchAll(/^\[[^\]]+\]\s+LED: (\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(seen, ["green", "green", "red", "green", "yellow", "green", "red", "green"]);
  assert.match(out, /LED traffic:2,3,4/);
});
