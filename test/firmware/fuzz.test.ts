// Property tests of the firmware's Firmata parser on the emulated chip: whatever bytes arrive —
// random, or Firmata cut short, overlong, with 8-bit data, unknown ids, CONFIGUREs of any shape —
// the board keeps running (no watchdog reset: the main loop never hung), then answers
// REPORT_VERSION and draws what a host tells it. Each run boots a fresh board, so a failure
// shrinks to a byte sequence that reproduces it. The run counts are kept small: the emulator is
// CPU-heavy (30 runs per property take 5-10 s; FUZZ_RUNS=300 for a longer hunt).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import { Bench, SYSEX, buildFirmware, sysex } from "./_helpers.ts";

const BYTE_MS = 10_000 / 57_600;
const VERSION = [0xf9, 2, 5];
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);

const data7 = fc.integer({ min: 0, max: 0x7f });
const anyByte = fc.integer({ min: 0, max: 0xff });
/** Firmata as a confused or hostile host writes it. */
const message = fc.oneof(
  // any command byte, with up to 3 data bytes (too few, enough or too many)
  fc.tuple(fc.integer({ min: 0x80, max: 0xff }), fc.array(data7, { maxLength: 3 })).map(([c, d]) => [c, ...d]),
  // a sysex with a known or any id, up to 80 data bytes (over the 64 kept), ended or not
  fc.tuple(
    fc.oneof(fc.constantFrom(SYSEX.CONFIGURE, SYSEX.HEARTBEAT, SYSEX.QUERY, 0x69, 0x6b, 0x6d, 0x6f, 0x79, 0x7a), data7),
    fc.array(data7, { maxLength: 80 }),
    fc.boolean(),
  ).map(([id, d, end]) => [0xf0, id, ...d, ...(end ? [0xf7] : [])]),
  // a CONFIGURE of entries with any values: the firmware must refuse the bad ones whole
  fc.tuple(fc.array(data7, { minLength: 3, maxLength: 3 }), fc.array(fc.array(data7, { minLength: 7, maxLength: 7 }), { maxLength: 9 }))
    .map(([t, es]) => sysex([SYSEX.CONFIGURE, ...t, ...es.flat()])),
  // line noise
  fc.array(anyByte, { minLength: 1, maxLength: 8 }),
);
const firmataish = fc.array(message, { maxLength: 12 }).map((ms) => ms.flat());
const randomBytes = fc.array(anyByte, { maxLength: 160 });

const includes = (hay: number[], needle: number[]) => Buffer.from(hay).includes(Buffer.from(needle));

/** What a host does on connect, checked: it asks the version, disarms the switch and draws. */
async function stillWorks(bytes: number[]): Promise<void> {
  const b = await Bench.boot();
  await b.send(bytes, 5);
  while (b.uno.serialBacklog > 0) await b.run(5);
  let answered = false;
  // a host asks again, waiting longer, when no answer comes: the board may still be answering
  // what the junk asked for (a capability answer is ~160 bytes, 28 ms on the wire)
  for (let wait = 25; wait <= 1600 && !answered; wait *= 2) {
    b.take();
    await b.send([0xf9], wait);
    answered = includes(b.take(), VERSION);
  }
  assert.ok(answered, "REPORT_VERSION answered");
  await b.send([
    ...sysex([SYSEX.CONFIGURE, 0, 0, 0]), // the junk may have armed the dead-man's switch
    0xf4, 13, 1, 0x91, 0x20, 0x00, // pin 13 OUTPUT, HIGH
    0xf4, 9, 3, 0xe9, 100 & 0x7f, 0, // pin 9 PWM, 100
  ], 5);
  assert.equal(b.uno.pin(13).level, 1, "digital write lands on pin 13");
  assert.deepEqual([b.uno.pin(9).pwm, Math.round(b.uno.pin(9).duty * 255)], [true, 100], "analog write lands on pin 9");
  assert.equal(b.uno.stats.resets, 0, "no reset: the main loop never stalled for the watchdog's second");
}

describe("firmware: random and malformed Firmata", () => {
  before(buildFirmware);

  it("random bytes", async () => {
    await fc.assert(fc.asyncProperty(randomBytes, stillWorks), { numRuns: RUNS });
  });

  it("Firmata cut short, overlong, unknown, with bad data and any CONFIGURE", async () => {
    await fc.assert(fc.asyncProperty(firmataish, stillWorks), { numRuns: RUNS });
  });

  it("a host that floods the line for 2 s: the main loop keeps coming round, the board answers after", async () => {
    // capability queries (each answered with ~160 bytes) far faster than the answers can go out
    const b = await Bench.boot();
    const flood = Array.from({ length: Math.ceil(2000 / BYTE_MS / 3) }, () => [0xf0, 0x6b, 0xf7]).flat();
    await b.send(flood);
    assert.equal(b.uno.stats.resets, 0);
    await b.run(1500); // what it took in (its 128-byte receive buffer) answered
    b.take();
    await b.send([0xf9], 10);
    assert.ok(includes(b.take(), VERSION));
  });
});

