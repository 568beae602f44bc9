import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, realpathSync } from "node:fs";
import { SerialPort } from "serialport";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoPty } from "../../agent/sim/uno/pty.ts";
import { STANDARD_FIRMATA, handshake, waitForPin, whenClosed } from "./helpers.ts";

const BOOT_MS = 2500;

async function setup() {
  const uno = await EmulatedUno.load(STANDARD_FIRMATA, { paced: false });
  uno.start();
  const pty = await UnoPty.create(uno);
  await uno.runFor(BOOT_MS);
  return { uno, pty };
}
const openPort = (path: string) => new SerialPort({ path, baudRate: 57600 });

test("the host end is a real pty that serialport's native binding opens; StandardFirmata handshakes", async (t) => {
  const { uno, pty } = await setup();
  t.after(async () => { uno.stop(); await pty.close(); });
  assert.match(realpathSync(pty.path), /^\/dev\/pts\/\d+$/);
  const port = openPort(pty.path);
  // No DTR over a pty: the board is already running, so firmata-io has to ask for the version.
  const board = await handshake(port, { reportVersionTimeout: 200 });
  assert.match(board.firmware.name ?? "", /StandardFirmata/);
  board.pinMode(13, board.MODES.OUTPUT!);
  board.digitalWrite(13, 1);
  await waitForPin(uno, 13, (s) => s.level === 1);
  await new Promise((r) => port.close(r));
});

test("unplug kills socat: the host port closes with a disconnect; open fails; plug back and handshake again", async (t) => {
  const { uno, pty } = await setup();
  t.after(async () => { uno.stop(); await pty.close(); });
  const port = openPort(pty.path);
  await handshake(port, { reportVersionTimeout: 200 });
  const closed = whenClosed(port);
  await pty.unplug();
  // bindings-cpp may see the hangup only as EOF, retried forever (#162): a write (as the agent's
  // heartbeat does) is what then fails.
  const timer = setTimeout(() => port.write(Buffer.from([0xf9])), 300);
  const errors = await closed;
  clearTimeout(timer);
  assert.ok(errors.some((e) => /bad file descriptor|EIO/.test(e.message)), errors.map(String).join());
  assert.equal(existsSync(pty.path), false);
  const refused = openPort(pty.path);
  const openErr = await new Promise<Error>((r) => refused.once("error", r));
  assert.match(openErr.message, /No such file or directory/);

  await pty.plug();
  const again = openPort(pty.path);
  const board = await handshake(again); // power-on boot: the board announces itself
  assert.match(board.firmware.name ?? "", /StandardFirmata/);
  await new Promise((r) => again.close(r));
});
