import { test } from "node:test";
import assert from "node:assert/strict";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { parseIntelHex } from "../../agent/sim/uno/hex.ts";
import { TIMERS, timerDuty } from "../../agent/sim/uno/pins.ts";
import { STANDARD_FIRMATA, VERSION_REPORT } from "./helpers.ts";

const BOOT_MS = 2500; // StandardFirmata blinks its version on pin 13 before it listens
const booted = async () => {
  const uno = await EmulatedUno.load(STANDARD_FIRMATA, { paced: false });
  await uno.runFor(BOOT_MS);
  return uno;
};
const received = (uno: EmulatedUno) => {
  const chunks: Buffer[] = [];
  uno.onSerialData((b) => chunks.push(b));
  return () => Buffer.concat(chunks);
};

test("Intel HEX: data lands at its address; a bad checksum or a missing EOF is refused", () => {
  const flash = parseIntelHex(":0400100001020304E2\n:00000001FF\n", 64);
  assert.deepEqual([...flash.subarray(0x10, 0x14)], [1, 2, 3, 4]);
  assert.equal(flash[0], 0xff);
  assert.throws(() => parseIntelHex(":0400100001020304E3\n:00000001FF\n", 64), /checksum/);
  assert.throws(() => parseIntelHex(":0400100001020304E2\n", 64), /end-of-file/);
  assert.throws(() => parseIntelHex(":0400100001020304E2\n:00000001FF\n", 16), /beyond/);
});

test("timer duty: non-inverted, inverted, timer1 8-bit phase-correct, disconnected, stopped", () => {
  const [t0, t1, t2] = TIMERS as [typeof TIMERS[0], typeof TIMERS[0], typeof TIMERS[0]];
  const d = new Uint8Array(0x100);
  d[t0.TCCRA] = 0b10_00_00_11; d[t0.TCCRB] = 0b011; d[t0.OCRA] = 64; // fast PWM, COM0A=2
  assert.equal(timerDuty(d, t0, "A"), 64 / 255);
  d[t0.TCCRA] = 0b11_00_00_11; // COM0A=3: inverted
  assert.equal(timerDuty(d, t0, "A"), 1 - 64 / 255);
  assert.equal(timerDuty(d, t0, "B"), null, "COM0B=0: the port drives the pin");
  d[t1.TCCRA] = 0b00_10_00_01; d[t1.TCCRB] = 0b011; d[t1.OCRB] = 200; d[t1.OCRB + 1] = 0; // WGM1=1
  assert.equal(timerDuty(d, t1, "B"), 200 / 255);
  d[t2.TCCRA] = 0b10_00_00_01; d[t2.TCCRB] = 0; d[t2.OCRA] = 10;
  assert.equal(timerDuty(d, t2, "A"), null, "no clock: not a PWM output");
});

test("runFor advances emulated time exactly; serial replies come back", async () => {
  const uno = await booted();
  assert.ok(Math.abs(uno.millis - BOOT_MS) < 0.01, String(uno.millis));
  const bytes = received(uno);
  uno.writeSerial([0xf9]); // REPORT_VERSION query
  await uno.runFor(20);
  assert.ok(bytes().includes(Buffer.from(VERSION_REPORT)), bytes().toString("hex"));
});

test("bytes to the chip are paced at the wire's baud rate and none are dropped", async () => {
  const uno = await booted();
  uno.wireBaud = 57600;
  const bytes = received(uno);
  const n = 40;
  uno.writeSerial(new Array(n).fill(0xf9));
  await uno.runFor(2); // 2 ms carry 11.5 bytes at 57600 baud, 10 bits each
  assert.ok(uno.serialBacklog >= n - 12 && uno.serialBacklog <= n - 11, `backlog ${uno.serialBacklog}`);
  await uno.runFor(50);
  assert.equal(uno.serialBacklog, 0);
  const replies = bytes().toString("hex").split(Buffer.from(VERSION_REPORT).toString("hex")).length - 1;
  assert.equal(replies, n);
  assert.equal(uno.stats.rxDropped, 0);
});

test("onPinChange carries the emulated time of the change, after the command's bytes arrived", async () => {
  const uno = await booted();
  uno.wireBaud = 57600;
  const changes: { pin: number; millis: number; level: number }[] = [];
  uno.onPinChange((c) => changes.push(c));
  const t0 = uno.millis;
  uno.writeSerial([0xf4, 13, 1, 0x91, 0x20, 0x00]); // SET_PIN_MODE 13 OUTPUT; DIGITAL_MESSAGE port 1
  await uno.runFor(10);
  const c = changes.find((x) => x.pin === 13 && x.level === 1);
  assert.ok(c, JSON.stringify(changes));
  const sixBytes = (6 * 10 * 1000) / 57600;
  assert.ok(c.millis > t0 + sixBytes && c.millis < t0 + sixBytes + 1, `${c.millis - t0} ms`);
  assert.equal(uno.pin(13).level, 1);
});

test("reset(): pins back to inputs, firmware boots again, EEPROM and time kept", async () => {
  const uno = await booted();
  uno.eeprom[7] = 0x42;
  uno.writeSerial([0xf4, 13, 1, 0x91, 0x20, 0x00]);
  await uno.runFor(10);
  assert.equal(uno.pin(13).mode, "output");
  const before = uno.millis;
  const bytes = received(uno);
  uno.reset();
  assert.equal(uno.pin(13).mode, "input");
  assert.equal(uno.eeprom[7], 0x42);
  assert.ok(uno.millis >= before);
  await uno.runFor(BOOT_MS);
  assert.ok(bytes().includes(Buffer.from(VERSION_REPORT)));
});

test("paced: emulated time never runs ahead of the wall clock; what it trails by is in lag", async (t) => {
  const uno = await EmulatedUno.load(STANDARD_FIRMATA);
  t.after(() => uno.stop());
  const m0 = uno.millis;
  const w0 = performance.now();
  uno.start();
  let worst = 0;
  while (performance.now() - w0 < 600) {
    await new Promise((r) => setTimeout(r, 15));
    const wall = performance.now() - w0;
    const emu = uno.millis - m0;
    assert.ok(emu <= wall + 0.5, `emulated ${emu} ms ahead of wall ${wall} ms`);
    // How far behind it is depends on how busy this shared machine is; only the sign is a rule.
    assert.ok(uno.lag >= 0, `lag ${uno.lag} is negative`);
    worst = Math.max(worst, wall - emu);
  }
  uno.stop();
  assert.ok(uno.millis - m0 > 300, `only ${uno.millis - m0} ms emulated in 600 ms (worst lag ${worst})`);
});
