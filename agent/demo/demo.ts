// `fluxlight demo`: the whole path with nothing to install or plug in. A simulated Flux
// homelab on a local API server, fluxlight's own firmware on an emulated Uno, the real agent
// between them over a serial port — and the LED, read off the chip's pins, drawn in the terminal.
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { SerialPortStream } from "@serialport/stream";
import { accessFromFile } from "../kube/request-options.ts";
import { startAgent } from "../agent.ts";
import { singleLight } from "../lights.ts";
import { createLog } from "../log/logger.ts";
import { escapeText } from "../text/escape.ts";
import type { SerialAccess, SerialPortLike } from "../link/ports.ts";
import { BAUD_RATE } from "../link/serialport.ts";
import type { LedSpec } from "../light/led-spec.ts";
import { formatLedSpec } from "../light/led-spec.ts";
import { EmulatedUno } from "../sim/uno/uno.ts";
import { UnoBinding } from "../sim/uno/binding.ts";
import { packageFile } from "../sim/package-files.ts";
import { DemoCluster } from "./cluster.ts";
import { SCENES, pause, type Refs } from "./scenario.ts";
import { DemoScreen } from "./terminal.ts";
import { storyName } from "./led-view.ts";

/** Built by `make -C firmware`, shipped prebuilt in the npm package (prepack). */
export const FIRMWARE_HEX = packageFile("firmware/build/fluxlight.hex");
/** The longest dark spell of a look the story expects lit (a traffic module's yellow blink). */
const BLINK_READ_MS = 1200;
const DEMO_LED: LedSpec = { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false };
const DEMO_GRACE_MS = 5000;
const DEVICE = "/dev/ttyACM0";

export interface DemoChoices {
  /** The user chose a wiring; otherwise the demo shows an RGB LED on pins 9, 10, 11. */
  ledGiven: boolean;
  /** The user chose a grace; otherwise 5 s, so that the story fits in a minute. */
  graceGiven: boolean;
}

/** The fields of the command line's Config the demo reads. */
export interface DemoConfig {
  led: LedSpec;
  progressGrace: number;
  stuckAfter: number;
  heartbeatTimeout: number;
  logLevel: string;
}

/** The shipped firmware image on an emulated Uno, and the image's sha256. */
function loadFirmware(): { uno: EmulatedUno; sha256: string } {
  if (!existsSync(FIRMWARE_HEX)) {
    throw new Error(`demo: ${FIRMWARE_HEX} is missing: build the firmware with \`make -C firmware\` (npm run demo does it for you)`);
  }
  const hex = readFileSync(FIRMWARE_HEX, "utf8");
  // The same digest `nix run .#flash` prints before writing a board: the image shown is the image flashed.
  return { uno: EmulatedUno.fromHex(hex), sha256: createHash("sha256").update(hex).digest("hex") };
}

/** Runs the story once; resolves with how many scenes showed what they should have. */
/** `chip`: handed the emulated Uno once it runs (a test reads the LED off its pins itself). */
export async function runDemo(config: DemoConfig, choices: DemoChoices, out: NodeJS.WriteStream | Writable = process.stdout, chip?: (uno: EmulatedUno, led: LedSpec) => void): Promise<{ scenes: number; matched: number }> {
  const { uno, sha256 } = loadFirmware();
  const led = choices.ledGiven ? config.led : DEMO_LED;
  const grace = choices.graceGiven ? config.progressGrace : DEMO_GRACE_MS;

  const cluster = new DemoCluster();
  await cluster.start();
  uno.start();
  chip?.(uno, led);
  const binding = new UnoBinding();
  binding.attach(DEVICE, uno);
  const access: SerialAccess = {
    open: (path) => new SerialPortStream({ binding, path, baudRate: BAUD_RATE }) as unknown as SerialPortLike,
    list: () => binding.list(),
  };
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-demo-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  cluster.server.writeKubeconfig(kubeconfigPath);

  const screen = new DemoScreen(out, led, (pin) => uno.pin(pin).duty);
  const log = createLog({ level: config.logLevel, format: "json", destination: logLines((line) => screen.say(line)) });
  screen.say(`fluxlight demo: API server ${cluster.server.url}, emulated Uno on ${DEVICE} running firmware/build/fluxlight.hex, LED ${formatLedSpec(led)}, progress grace ${grace / 1000}s`);
  screen.say(`firmware image sha256 ${sha256}`);
  screen.start();

  let fatal: string | undefined;
  const agent = startAgent(
    { lights: [singleLight({ led, namespaces: [] })], serial: "auto", usbIds: [], progressGraceMs: grace, stuckAfterMs: Math.max(config.stuckAfter, grace * 2), heartbeatTimeoutMs: config.heartbeatTimeout },
    { cluster: accessFromFile(kubeconfigPath), access, log, onFatal: (m) => (fatal = m) },
  );

  let matched = 0;
  try {
    const [bucket, infra, apps, monitoring] = cluster.createHomelab() as [Refs["bucket"], Refs["infra"], Refs["apps"], Refs["monitoring"]];
    const refs: Refs = { bucket, infra, apps, monitoring };
    await until(() => agent.snapshot().board.connected || fatal !== undefined, 15_000);
    if (fatal) throw new Error(fatal);
    for (const [i, scene] of SCENES.entries()) {
      screen.setScene(`scene ${i + 1}/${SCENES.length}`, scene.title);
      screen.say(`▶ scene ${i + 1}/${SCENES.length}: ${scene.title}`);
      await scene.play(cluster, refs, grace);
      await sleep(scene.holdMs?.(grace) ?? pause(grace));
      const want = storyName(led, scene.expect);
      const seen = await readLed(screen, want);
      const ok = seen === want;
      if (ok) matched += 1;
      screen.say(`  LED: ${seen}${ok ? "" : ` (expected ${want})`}   signal: ${agent.signal}`);
    }
    screen.say(`demo over: ${matched} of ${SCENES.length} scenes showed what they should`);
  } finally {
    screen.stop();
    await agent.stop();
    uno.stop();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { scenes: SCENES.length, matched };
}

/** The LED's name once it reads `want`, or after one blink: a blinking look is judged when lit. */
async function readLed(screen: DemoScreen, want: string): Promise<string> {
  const readAt = Date.now();
  let seen = screen.led().name;
  while (seen !== want && Date.now() - readAt < BLINK_READ_MS) {
    await sleep(20);
    seen = screen.led().name;
  }
  return seen;
}

/** A pino destination that turns each JSON line into "HH:MM:SS level message". */
function logLines(say: (line: string) => void): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      for (const text of String(chunk).split("\n").filter(Boolean)) {
        try {
          const line = JSON.parse(text) as { time?: string; level?: number; msg?: string };
          const level = (line.level ?? 30) >= 50 ? "ERROR" : (line.level ?? 30) >= 40 ? "WARN " : "INFO ";
          // The message quotes the cluster: printed escaped, like every other output.
          say(`${escapeText(String(line.time ?? "").slice(11, 19))} ${level} ${escapeText(String(line.msg ?? text))}`);
        } catch {
          say(escapeText(text));
        }
      }
      done();
    },
  });
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("demo: the emulated board did not finish the Firmata handshake in time");
    await sleep(50);
  }
}
