// The dead-man's switch on a traffic-light module (`--led traffic:R,Y,G`), configured with the
// exact bytes the agent sends (agent/link/deadman.ts): when the host falls silent, red and yellow
// blink together, a second lit and a second dark, and green — which the host had on — goes dark
// and stays dark.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { configureMessage } from "../../agent/link/deadman.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";
import { HOST_LOST } from "../../agent/light/looks.ts";
import { Bench, buildFirmware, litSpans, sysex } from "./_helpers.ts";

const TRAFFIC: LedSpec = { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } };
const OUTPUT = 1, PWM = 3;

describe("firmware: host lost on a traffic-light module", () => {
  before(buildFirmware);

  it("red and yellow blink in step, green stays dark, until the host speaks", async () => {
    const b = await Bench.boot();
    await b.run(300); // boot self-test over
    // As johnny-five sets the lamps up (pin 3 has PWM, so Led takes it as PWM), with green lit: ok.
    await b.send([0xf4, 2, OUTPUT, 0xf4, 3, PWM, 0xf4, 4, OUTPUT, 0xf5, 4, 1, ...sysex(configureMessage(TRAFFIC, 1000, HOST_LOST))]);
    const configured = b.now;
    assert.equal(b.uno.pin(4).level, 1, "green on while the host is alive");
    const q = await b.query();
    assert.deepEqual(q.entries.map((e) => [e.pin, e.pattern, e.period]), [[2, 2, 2000], [3, 2, 2000], [4, 0, 0]]);

    await b.run(1000 + 5000 - (b.now - configured));
    const lostAt = b.of(4, configured).find((c) => c.level === 0)?.millis;
    assert.ok(lostAt !== undefined, "green went dark when host lost began");
    // One render pass draws the three pins in the configuration's order, microseconds apart.
    const red = litSpans(b, 2, lostAt - 1);
    const yellow = litSpans(b, 3, lostAt - 1);
    assert.ok(red.length >= 2, `red blinked: ${JSON.stringify(red)}`);
    // Lit the first second of every two, from the start of host lost; both lamps at the same instants.
    red.forEach(([at, long], i) => {
      assert.ok(Math.abs(at + 1 - 2000 * i) <= 2, `red lit ${i} at ${at.toFixed(1)} ms`);
      if (Number.isFinite(long)) assert.ok(Math.abs(long - 1000) <= 2, `red lit ${i} for ${long.toFixed(1)} ms`);
    });
    assert.equal(yellow.length, red.length, "yellow blinks as often as red");
    yellow.forEach(([at, long], i) => {
      assert.ok(Math.abs(at - red[i]![0]) < 0.5, `yellow lit ${i} with red`);
      if (Number.isFinite(long)) assert.ok(Math.abs(long - red[i]![1]) < 0.5, `yellow dark ${i} with red`);
    });
    assert.deepEqual(litSpans(b, 4, lostAt + 0.01), [], "green never lit while the host is lost");

    // The host speaks: every lamp dark, and the host may light green again.
    await b.send(sysex([0x02]));
    for (const pin of [2, 3, 4]) assert.equal(b.uno.pin(pin).level, 0, `pin ${pin} dark after the host spoke`);
    await b.send([0xf5, 4, 1]);
    assert.equal(b.uno.pin(4).level, 1);
  });
});
