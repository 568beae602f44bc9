// `npm run demo` is one of the two commands a new user runs: its story must play out on the
// emulated chip, every scene showing what it says it shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { defaults } from "../../agent/cli/config.ts";
import { runDemo } from "../../agent/demo/demo.ts";

test("the demo's story plays out on the emulated chip: every scene shows its colour", async () => {
  let out = "";
  const screen = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const config = { ...defaults(), progressGrace: 1000, logLevel: "info" as const };
  const result = await runDemo(config, { ledGiven: false, graceGiven: true }, screen);
  assert.equal(result.matched, result.scenes, `every scene as expected:\n${out}`);
  const seen = [...out.matchAll(/^\[[^\]]+\]\s+LED: (\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(seen, ["green", "green", "red", "green", "amber", "green", "red", "green"]);
  assert.match(out, /board connected on \/dev\/ttyACM0 \(fluxlight 0\.2\)/);
  assert.match(out, /light ok → failed: .*Bucket flux-system\/caddy-bucket BucketOperationFailed/);
  assert.match(out, /demo over: 8 of 8 scenes/);
});
