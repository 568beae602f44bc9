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
import { startAgent, type Agent } from "../agent.ts";
import { singleLight, type LightSettings } from "../lights.ts";
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
import { SCENES, TWO_LIGHTS, pause, type Refs, type Scene } from "./scenario.ts";
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
  /** One light (default), or two lights of one board (TWO_LIGHTS). */
  story?: "one-light" | "two-lights";
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

/** The lights the story plays on: the two-light story's, or one (the user's wiring, else an RGB LED). */
function demoLights(config: DemoConfig, choices: DemoChoices): LightSettings[] {
  if (config.story === "two-lights") return TWO_LIGHTS;
  return [singleLight({ led: choices.ledGiven ? config.led : DEMO_LED, namespaces: [] })];
}

/**
 * Runs the story once; resolves with how many scenes showed what they should have.
 * `chip`: handed the emulated Uno once it runs, with the first light's wiring and every light (a
 * test reads the LEDs off its pins itself).
 */
export async function runDemo(config: DemoConfig, choices: DemoChoices, out: NodeJS.WriteStream | Writable = process.stdout, chip?: (uno: EmulatedUno, led: LedSpec, lights: readonly LightSettings[]) => void): Promise<{ scenes: number; matched: number }> {
  const { uno, sha256 } = loadFirmware();
  const lights = demoLights(config, choices);
  const grace = choices.graceGiven ? config.progressGrace : DEMO_GRACE_MS;

  const cluster = new DemoCluster();
  await cluster.start();
  uno.start();
  chip?.(uno, lights[0]!.led, lights);
  const binding = new UnoBinding();
  binding.attach(DEVICE, uno);
  const access: SerialAccess = {
    open: (path) => new SerialPortStream({ binding, path, baudRate: BAUD_RATE }) as unknown as SerialPortLike,
    list: () => binding.list(),
  };
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-demo-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  cluster.server.writeKubeconfig(kubeconfigPath);

  const screen = new DemoScreen(out, lights.length > 1 ? lights : lights[0]!.led, (pin) => uno.pin(pin).duty);
  const log = createLog({ level: config.logLevel, format: "json", destination: logLines((line) => screen.say(line)) });
  screen.say(`fluxlight demo: API server ${cluster.server.url}, emulated Uno on ${DEVICE} running firmware/build/fluxlight.hex, ${describeLights(lights)}, progress grace ${grace / 1000}s`);
  screen.say(`firmware image sha256 ${sha256}`);
  screen.start();

  let fatal: string | undefined;
  const agent = startAgent(
    { lights, serial: "auto", usbIds: [], progressGraceMs: grace, stuckAfterMs: Math.max(config.stuckAfter, grace * 2), heartbeatTimeoutMs: config.heartbeatTimeout },
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
      if (await judge(screen, lights, scene, agent)) matched += 1;
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

/** "LED rgb:9,10,11", or each light's name, wiring and what it stands for. */
function describeLights(lights: readonly LightSettings[]): string {
  if (lights.length === 1) return `LED ${formatLedSpec(lights[0]!.led)}`;
  return `LEDs ${lights.map((l) => `${l.name} ${formatLedSpec(l.led)} (${l.names.map((n) => n.split("/")[1]).join(", ")})`).join(", ")}`;
}

/** The scene's end: each LED read off the chip, said beside what the story expects and the agent's signal; whether all showed it. */
async function judge(screen: DemoScreen, lights: readonly LightSettings[], scene: Scene, agent: Agent): Promise<boolean> {
  const several = lights.length > 1;
  const wants = lights.map((l) => storyName(l.led, several ? scene.expectTwo[l.name as keyof Scene["expectTwo"]] : scene.expect));
  const seen = await readLeds(screen, wants);
  const ok = seen.every((s, i) => s === wants[i]);
  if (!several) {
    screen.say(`  LED: ${seen[0]}${ok ? "" : ` (expected ${wants[0]})`}   signal: ${agent.signal}`);
  } else {
    const signals = agent.snapshot().lights;
    const leds = lights.map((l, i) => `${l.name} ${seen[i]}${seen[i] === wants[i] ? "" : ` (expected ${wants[i]})`}`);
    screen.say(`  LEDs: ${leds.join(", ")}   signals: ${lights.map((l, i) => `${l.name} ${signals[i]?.signal}`).join(", ")}`);
  }
  return ok;
}

/** Each LED's name once all read what they should, or after one blink: a blinking look is judged when lit. */
async function readLeds(screen: DemoScreen, wants: readonly string[]): Promise<string[]> {
  const readAt = Date.now();
  let seen = screen.leds().map((v) => v.name);
  while (seen.some((s, i) => s !== wants[i]) && Date.now() - readAt < BLINK_READ_MS) {
    await sleep(20);
    seen = screen.leds().map((v) => v.name);
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
