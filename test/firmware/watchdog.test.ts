// The board has a watchdog: a chip that hangs (nothing runs, or the main loop spins while interrupts
// go on) resets within the watchdog's second and then behaves as after power-on — announces
// itself, runs its self-test, and draws host lost until a host speaks. It never reset-loops.
// The emulated reset follows the datasheet (test/sim/watchdog.test.ts), so a loop would show here.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { ANNOUNCE, Bench, PATTERN, bootConfigured, buildFirmware, litSpans } from "./_helpers.ts";

const PWM = 3;
const DEADMAN_MS = 1000;
const RGB = [
  { pin: 9, pattern: PATTERN.BLINK, period: 200, level: 255 }, // host lost: red blinks
  { pin: 10, pattern: PATTERN.OFF },
  { pin: 11, pattern: PATTERN.OFF },
];
const green = (duty: number) => [0xf4, 10, PWM, 0xe0 | 10, duty & 0x7f, duty >> 7];

/** A board whose dead-man's switch is stored, with the host's green (PWM 200) on. */
async function showingGreen(): Promise<Bench> {
  const b = await bootConfigured(DEADMAN_MS, RGB);
  await b.send(green(200));
  assert.ok(Math.abs(b.uno.pin(10).duty - 200 / 255) < 1e-9);
  return b;
}

describe("firmware: watchdog", () => {
  before(buildFirmware);

  it("runs from boot at 2 s or less; a power-on or a RESET-pin reset is not reported as the watchdog's", async () => {
    const b = await Bench.boot();
    await b.run(50);
    assert.equal(b.uno.watchdog.resets, true);
    assert.ok(b.uno.watchdog.timeoutMs <= 2000, `timeout ${b.uno.watchdog.timeoutMs} ms`);
    assert.equal(b.uno.watchdog.mcusr, 0, "MCUSR cleared at boot");
    assert.equal((await b.query()).watchdogReset, false);
    b.uno.reset();
    await b.run(50);
    assert.equal(b.uno.watchdog.resets, true);
    assert.equal((await b.query()).watchdogReset, false);
    await b.run(3000);
    assert.equal(b.uno.stats.watchdogResets, 0, "a healthy main loop keeps it fed");
  });

  for (const kind of ["halt", "spin"] as const) {
    const how = kind === "halt" ? "no instruction runs (timers and PWM go on)" : "the main loop spins, interrupts still served";
    it(`the chip hangs — ${how}: reset within 2 s, then boot as from power-on, host lost, no loop`, async (tc) => {
      const b = await showingGreen();
      const t = b.now;
      b.take();
      b.uno.wedge(kind);
      await b.run(2500);
      assert.equal(b.uno.stats.watchdogResets, 1);
      const reset = b.of(10, t).find((c) => c.mode === "input");
      assert.ok(reset, "the pins went back to inputs");
      const resetAt = reset.millis;
      assert.ok(resetAt - t <= 2000, `reset ${(resetAt - t).toFixed(0)} ms after the hang`);
      tc.diagnostic(`reset ${(resetAt - t).toFixed(1)} chip-ms after the hang`);
      assert.deepEqual(b.of(10, t).filter((c) => c.millis < resetAt), [], "until then the host's green stayed on: the hang is real");

      assert.deepEqual(b.rx.slice(0, ANNOUNCE.length), ANNOUNCE, "announces itself as at power-on (how the host notices)");
      // self-test: red, green, blue lit once for 150 ms each
      for (const [i, pin] of [9, 10, 11].entries()) {
        const [first] = litSpans(b, pin, resetAt);
        assert.ok(first && Math.abs(first[0] - 150 * i) <= 2 && Math.abs(first[1] - 150) <= 2, `pin ${pin} self-test ${JSON.stringify(first)}`);
      }
      // host lost, the dead-man's timeout counted from boot: red blinks
      const blinks = litSpans(b, 9, resetAt).slice(1);
      assert.ok(blinks.length >= 3, `host lost blinks red: ${JSON.stringify(blinks)}`);
      assert.ok(Math.abs(blinks[0]![0] - DEADMAN_MS) <= 3, `host lost ${blinks[0]![0].toFixed(1)} ms after the reset`);

      await b.run(3000);
      assert.equal(b.uno.stats.watchdogResets, 1, "one reset, no loop");
      assert.ok(b.of(9, b.now - 500).length >= 4, "still drawing host lost");
      const q = await b.query();
      assert.deepEqual([q.watchdogReset, q.lostSinceLastQuery, q.lostCount], [true, true, 1]);
      assert.equal((await b.query()).watchdogReset, true, "for the whole run");
      await b.send(green(200));
      assert.ok(Math.abs(b.uno.pin(10).duty - 200 / 255) < 1e-9, "the host draws again");
      assert.equal(b.uno.pin(9).level, 0);
    });
  }
});
