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
import type { LightSettings } from "../../agent/lights.ts";

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

test("the two-light story (--story two-lights): one board, two LEDs read off the chip, each red only for its own part", async () => {
  let out = "";
  let chip: { uno: EmulatedUno; lights: readonly LightSettings[] } | undefined;
  // The test's own reading of both LEDs' pins when the demo ends each scene.
  const onChip: string[][] = [];
  const screen = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      out += text;
      if (chip && /LEDs: /.test(text)) onChip.push(chip.lights.map((l) => viewLed(l.led, (pin) => chip!.uno.pin(pin).duty).name));
      done();
    },
  });
  const config = { ...defaults(), story: "two-lights" as const, progressGrace: 1000, logLevel: "info" as const };
  const result = await runDemo(config, { ledGiven: false, graceGiven: true }, screen, (uno, _led, lights) => (chip = { uno, lights }));
  assert.deepEqual(chip?.lights.map((l) => l.name), ["platform", "apps"]);
  // platform: the Bucket and infra, on the RGB LED; apps: apps and monitoring, on the traffic module.
  assert.deepEqual(onChip.map(([platform]) => platform), ["green", "green", "green", "green", "green", "green", "red", "green"], `platform's pins at each scene's end:\n${out}`);
  assert.deepEqual(onChip.map(([, apps]) => apps), ["green", "green", "red", "green", "yellow", "green", "green", "green"], `apps' pins at each scene's end:\n${out}`);
  assert.equal(result.matched, result.scenes, `the demo agrees with the chip:\n${out}`);
  assert.match(out, /LEDs platform rgb:9,10,11 \(caddy-bucket, infra\), apps traffic:2,3,4 \(apps, monitoring\)/);
  assert.match(out, /light apps ok → failed: 1 of 2 objects failed: Kustomization flux-system\/apps BuildFailed/);
  assert.match(out, /light platform ok → failed: 1 of 2 objects failed: Bucket flux-system\/caddy-bucket BucketOperationFailed/);
  assert.match(out, /LEDs: platform red, apps green {3}signals: platform failed, apps ok/);
  assert.match(out, /demo over: 8 of 8 scenes/);
});
