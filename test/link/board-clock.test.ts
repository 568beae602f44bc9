// BoardLink (agent/link/board.ts) on a manual clock: its probe, its give-up and its backoff are
// timed by the test, not waited for. Only the USB serial port is a double — a SerialAccess over
// the in-process serialport binding to an emulated Uno running fluxlight's firmware — so the
// Firmata handshake, johnny-five and the lamp are the real ones, and what the test reads is what
// a user sees: the LED's colour off the chip's pins, and the link's log lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SerialPortStream } from "@serialport/stream";
import { BoardLink } from "../../agent/link/board.ts";
import type { SerialAccess, SerialPortLike } from "../../agent/link/ports.ts";
import { createLamp } from "../../agent/light/lamp.ts";
import { HOST_LOST } from "../../agent/light/looks.ts";
import { createLog } from "../../agent/log/logger.ts";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoBinding } from "../../agent/sim/uno/binding.ts";
import { FLUXLIGHT_HEX, LogBook, RGB, board } from "../e2e/harness.ts";
import { ManualClock } from "../helpers/clock.ts";

const PROBE_EVERY = 5000;
const ANSWER_WITHIN = 3000;
/** The wait before the first search after a connected board is lost: 500 ms with full jitter (shared/backoff.ts), 250–500 ms. */
const FIRST_RETRY = { atLeast: 250, atMost: 500 };
const REPORT_VERSION = 0xf9;

async function rig(t: { after(fn: () => Promise<void>): void }) {
  const uno = await EmulatedUno.load(FLUXLIGHT_HEX);
  uno.start();
  const binding = new UnoBinding();
  const device = binding.attach("/dev/ttyACM0", uno);
  const searches: number[] = []; // the manual clock's time of each look for a board
  const clock = new ManualClock();
  let port: SerialPortLike | undefined;
  const access: SerialAccess = {
    open: (path) => (port = new SerialPortStream({ binding, path, baudRate: 57600 }) as unknown as SerialPortLike),
    list: () => (searches.push(clock.now()), binding.list()),
  };
  const logs = new LogBook();
  const link = new BoardLink({
    serial: "auto",
    usbIds: [],
    lights: [{ name: "lights[0]", led: RGB, field: "--led" }],
    hostLost: HOST_LOST,
    access,
    log: createLog({ level: "debug", format: "json", destination: logs.stream() }),
    clock,
    drawOn: createLamp,
    // Disarmed: the firmware's own timeout runs on the chip's clock, not on the test's.
    heartbeatTimeoutMs: 0,
    onFatal: (m) => assert.fail(m),
  });
  t.after(async () => {
    await link.stop();
    uno.stop();
  });
  return { uno, clock, link, logs, searches, led: board(uno, RGB), port: () => port!, device };
}

/**
 * Resolves once the link's port has received the chip's next Firmata version report (its answer
 * to the liveness probe) and firmata-io has read it: firmata-io parses within the same "data"
 * emit, so a turn of the event loop later the link has been told.
 */
function versionReport(port: () => SerialPortLike): Promise<void> {
  return new Promise((resolve) => {
    let seen: number[] = [];
    const onData = (bytes: Buffer) => {
      seen = [...seen, ...bytes];
      const at = seen.indexOf(REPORT_VERSION);
      if (at < 0 || seen.length < at + 3) return;
      port().off("data", onData);
      setImmediate(resolve);
    };
    port().on("data", onData);
  });
}

test("BoardLink: what show() asked before the board was there is drawn once it connects", async (t) => {
  const { link, logs, led } = await rig(t);
  link.show(0, "failed");
  link.start();
  const connected = await logs.waitFor((l) => l.event === "board-connected", 15_000, "board-connected");
  assert.equal(connected.signal, "failed");
  await led.waitForLed("red");
});

test("BoardLink: a board that answers the probe stays; one that stops answering is given up, searched for after the backoff, and drawn on again", async (t) => {
  const { uno, clock, link, logs, searches, led, port, device } = await rig(t);
  link.show(0, "failed");
  link.start();
  await logs.waitFor((l) => l.event === "deadman-disarmed", 15_000, "the firmware's confirmation");
  await led.waitForLed("red");
  assert.equal(searches.length, 1);

  // A live board: the probe goes out, the chip answers, and its deadline passes quietly.
  const answered = versionReport(port);
  clock.advance(PROBE_EVERY);
  await answered;
  clock.advance(ANSWER_WITHIN);
  assert.equal(link.snapshot().connected, true);
  assert.equal(logs.events("board-disconnected").length, 0);

  // The chip freezes: the next probe (due PROBE_EVERY after the last) goes unanswered.
  uno.stop();
  clock.advance(PROBE_EVERY - ANSWER_WITHIN);
  clock.advance(ANSWER_WITHIN - 1);
  assert.equal(link.snapshot().connected, true, "given up only when the answer is due");
  clock.advance(1);
  const lost = logs.events("board-disconnected");
  assert.equal(lost.length, 1);
  assert.equal(lost[0]!.reason, "the board on /dev/ttyACM0 stopped answering Firmata");
  assert.deepEqual(link.snapshot(), { state: "searching", connected: false, path: undefined, firmware: undefined });

  // The given-up port closes (at once in real time, long before the backoff has run out), the
  // light moves on meanwhile, and the board comes back to life.
  const given = port();
  if (device.port) await new Promise((resolve) => given.once("close", resolve));
  link.show(0, "ok");
  uno.start();
  const lostAt = clock.now();
  clock.advance(FIRST_RETRY.atLeast - 1);
  assert.equal(searches.length, 1, "no search before the backoff");
  clock.advance(FIRST_RETRY.atMost - FIRST_RETRY.atLeast + 1);
  assert.equal(searches.length, 2, "searched for again after the backoff");
  const waited = searches[1]! - lostAt;
  assert.ok(waited >= FIRST_RETRY.atLeast && waited <= FIRST_RETRY.atMost, `the search came ${waited} ms after the give-up`);
  await logs.waitFor(() => logs.events("board-connected").length === 2, 15_000, "the reconnect");
  assert.equal(logs.events("board-connected")[1]!.signal, "ok");
  await led.waitForLed("green");
});
