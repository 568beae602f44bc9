import { test } from "node:test";
import assert from "node:assert/strict";
import { SerialPortStream } from "@serialport/stream";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoBinding } from "../../agent/sim/uno/binding.ts";
import { STANDARD_FIRMATA, VERSION_REPORT, collect, handshake, waitForPin, whenClosed } from "./helpers.ts";

const PATH = "/dev/ttyACM0";
const BOOT_MS = 2500; // StandardFirmata blinks its version on pin 13 (~1.9 s) before it talks

async function setup(opts: { autoReset?: boolean } = {}) {
  const uno = await EmulatedUno.load(STANDARD_FIRMATA, { paced: false });
  const binding = new UnoBinding();
  const dev = binding.attach(PATH, uno, opts);
  uno.start();
  const open = (baudRate = 57600) => new SerialPortStream({ binding, path: PATH, baudRate });
  return { uno, binding, dev, open };
}
const closed = (port: SerialPortStream) => new Promise<Error | null>((r) => port.once("close", (e: Error | null) => r(e)));

test("StandardFirmata handshakes through the binding; pin 13 and PWM on 9/11 reach the chip", async (t) => {
  const { uno, open } = await setup();
  t.after(() => uno.stop());
  const port = open();
  const board = await handshake(port);
  assert.match(board.firmware.name ?? "", /StandardFirmata/);

  board.pinMode(13, board.MODES.OUTPUT!);
  board.digitalWrite(13, 1);
  await waitForPin(uno, 13, (s) => s.mode === "output" && s.level === 1);

  board.pinMode(9, board.MODES.PWM!);
  board.analogWrite(9, 128);
  board.pinMode(11, board.MODES.PWM!);
  board.analogWrite(11, 51);
  const p9 = await waitForPin(uno, 9, (s) => s.pwm);
  const p11 = await waitForPin(uno, 11, (s) => s.pwm);
  assert.equal(p9.duty, 128 / 255); // timer1, 8-bit phase-correct
  assert.equal(p11.duty, 51 / 255); // timer2
  board.analogWrite(9, 0); // analogWrite(0) is a digitalWrite LOW: compare output disconnected
  await waitForPin(uno, 9, (s) => !s.pwm && s.level === 0 && s.duty === 0);
  port.close();
});

test("list() shows the board with Arduino Uno USB ids while plugged", async (t) => {
  const { uno, binding, dev } = await setup();
  t.after(() => uno.stop());
  const [info] = await binding.list();
  assert.equal(info?.path, PATH);
  assert.equal(info?.vendorId, "2341");
  assert.equal(info?.productId, "0043");
  assert.ok(info?.serialNumber);
  dev.unplug();
  assert.deepEqual(await binding.list(), []);
});

test("opening the port resets the board: StandardFirmata re-sends its version report", async (t) => {
  const { uno, open } = await setup();
  t.after(() => uno.stop());
  await uno.runFor(BOOT_MS); // booted, its boot-time report already gone to nobody
  const resetsBefore = uno.stats.resets;
  const port = open();
  const seen = collect(port);
  await seen.waitFor(VERSION_REPORT);
  assert.equal(uno.stats.resets, resetsBefore + 1);
  port.close();
  await closed(port);
});

test("without auto-reset, opening leaves the board running (no unsolicited version report)", async (t) => {
  const { uno, open } = await setup({ autoReset: false });
  t.after(() => uno.stop());
  await uno.runFor(BOOT_MS);
  const port = open();
  const seen = collect(port);
  await uno.runFor(BOOT_MS);
  assert.equal(uno.stats.resets, 0);
  assert.ok(!seen.bytes().includes(Buffer.from(VERSION_REPORT)), seen.bytes().toString("hex"));
  port.close();
});

test("unplug: the open port closes with a disconnect error; open fails until plugged back; then a fresh handshake", async (t) => {
  const { uno, dev, open } = await setup();
  t.after(() => uno.stop());
  const port = open();
  const board = await handshake(port);
  board.pinMode(13, board.MODES.OUTPUT!);
  board.digitalWrite(13, 1);
  await waitForPin(uno, 13, (s) => s.level === 1);

  const closing = closed(port);
  dev.unplug();
  const err = await closing;
  assert.ok(err, "close carries an error");
  assert.equal((err as Error & { disconnected?: boolean }).disconnected, true);
  assert.match(err.message, /bad file descriptor/);
  assert.equal(uno.pin(13).mode, "input", "an unpowered board drives nothing");

  const refused = open();
  const openErr = await new Promise<Error>((r) => refused.once("error", r));
  assert.match(openErr.message, /No such file or directory, cannot open \/dev\/ttyACM0/);

  dev.plug();
  const again = open();
  const board2 = await handshake(again);
  assert.match(board2.firmware.name ?? "", /StandardFirmata/);
  again.close();
});

test("a second open of the same port fails like the Linux port lock", async (t) => {
  const { uno, open } = await setup();
  t.after(() => uno.stop());
  const first = open();
  await new Promise((r) => first.once("open", r));
  const second = open();
  const err = await new Promise<Error>((r) => second.once("error", r));
  assert.match(err.message, /Cannot lock port/);
  first.close();
});

test("a baud rate the firmware does not use yields garbage, not a handshake", async (t) => {
  const { uno, open } = await setup();
  t.after(() => uno.stop());
  const port = open(115200);
  const seen = collect(port);
  await uno.runFor(BOOT_MS);
  assert.ok(seen.bytes().length > 0, "the chip did talk");
  assert.ok(!seen.bytes().includes(Buffer.from(VERSION_REPORT)));
  assert.ok(uno.stats.garbled > 0);
  port.close();
});

test('unplug("eof"): the read never reports it (bindings-cpp #162); the next write closes the port', async (t) => {
  const { uno, dev, open } = await setup();
  t.after(() => uno.stop());
  const port = open();
  await handshake(port);
  const closed = whenClosed(port);
  dev.unplug("eof");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(port.isOpen, true, "silent until written to");
  port.write(Buffer.from([0xf9]));
  const errors = await closed;
  assert.ok(errors.some((e) => e.disconnected && /EIO/.test(e.message)), errors.map(String).join());
});
