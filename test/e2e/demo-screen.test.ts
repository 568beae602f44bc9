// What a person sees of `npm run demo` in a terminal of a given width: log lines scroll, each
// once, and one live LED line stays at the bottom — never wrapped, since erase-line clears one
// row and a wrapped line leaves a copy at every redraw. The screen is a real terminal emulator
// (xterm.js, headless) fed the demo's bytes: first the renderer on a stream 40, 80 and 200
// columns wide, then the real `fluxlight demo` command in a pseudo-terminal 80 columns wide.
/* eslint-disable no-control-regex -- escape sequences are what these tests look for */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import xterm from "@xterm/headless";
import { DemoScreen, type ScreenLight } from "../../agent/demo/terminal.ts";
import { storyName } from "../../agent/demo/led-view.ts";
import { SCENES } from "../../agent/demo/scenario.ts";
import { MARGIN } from "../../agent/demo/live-line.ts";
import type { LedSpec } from "../../agent/light/led-spec.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SPEC: LedSpec = { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false };
/** The live line as a person reads it: lamp (if coloured), "LED", the colour. Log lines read "●   LED: red" instead. */
const LIVE = /^(?:● )?LED (?!:)/;

/** A terminal screen: what the emulator shows, row by row, and rows joined into the lines they wrap. */
class Screen {
  readonly term: xterm.Terminal;
  private written: Promise<void> = Promise.resolve();

  constructor(cols: number, rows = 24) {
    // convertEol: a tty's line discipline turns "\n" into "\r\n" (onlcr) on the way out.
    this.term = new xterm.Terminal({ cols, rows, scrollback: 10_000, convertEol: true, allowProposedApi: true });
  }

  write(data: string): Promise<void> {
    this.written = this.written.then(() => new Promise<void>((done) => this.term.write(data, done)));
    return this.written;
  }

  settled(): Promise<void> {
    return this.written;
  }

  /** Every row from the top of the scrollback to the last row written, and which one the cursor is on. */
  rows(): { text: string; wrapped: boolean }[] {
    const buffer = this.term.buffer.active;
    const rows = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i)!;
      rows.push({ text: line.translateToString(true), wrapped: line.isWrapped });
    }
    const cursor = buffer.baseY + buffer.cursorY;
    while (rows.length > cursor + 1 && rows.at(-1)!.text === "") rows.pop();
    return rows;
  }

  /** Lines as written: a row the terminal wrapped onto is joined to the row before it. */
  lines(): { text: string; rows: number }[] {
    const lines: { text: string; rows: number }[] = [];
    for (const row of this.rows()) {
      const last = lines.at(-1);
      if (row.wrapped && last) {
        last.text += row.text;
        last.rows += 1;
      } else lines.push({ text: row.text, rows: 1 });
    }
    return lines;
  }

  cursorRow(): number {
    const buffer = this.term.buffer.active;
    return buffer.baseY + buffer.cursorY;
  }
}

/** A TTY of a given width, as the demo's screen sees process.stdout: its bytes go to the emulator. */
class FakeTty extends Writable {
  readonly isTTY = true;
  raw = "";
  constructor(public columns: number, readonly screen: Screen) {
    super({ decodeStrings: false });
  }
  override _write(chunk: string | Buffer, _enc: BufferEncoding, done: () => void): void {
    this.raw += String(chunk);
    void this.screen.write(String(chunk));
    done();
  }
  /** The user drags the window: the terminal reflows, the process gets SIGWINCH, the stream says "resize". */
  resize(cols: number): void {
    this.columns = cols;
    this.screen.term.resize(cols, this.screen.term.rows);
    this.emit("resize");
  }
}

/** What a person must see at any moment: at most one live line, on one row, the cursor's, fitting the width; no escape shown as text. */
function assertLooksRight(screen: Screen, cols: number, where: string, liveLine = LIVE): string | undefined {
  const lines = screen.lines();
  const live = lines.filter((l) => liveLine.test(l.text));
  assert.ok(live.length <= 1, `${where}: one live line, not ${live.length}:\n${lines.map((l) => l.text).join("\n")}`);
  for (const row of screen.rows()) assert.doesNotMatch(row.text, /\x1b|\[[0-9;]+[mK]/, `${where}: an escape sequence shown as text: ${row.text}`);
  if (live.length === 0) return undefined;
  const line = live[0]!;
  assert.equal(line.rows, 1, `${where}: the live line wrapped: ${line.text}`);
  assert.equal(lines.at(-1), line, `${where}: the live line is at the bottom`);
  assert.equal(screen.rows().length - 1, screen.cursorRow(), `${where}: the cursor is on the live line`);
  assert.ok(line.text.length <= cols - MARGIN, `${where}: ${line.text.length} columns of ${cols}: ${line.text}`);
  return line.text;
}

function assertEachOnce(screen: Screen, said: string[]): void {
  const lines = screen.lines().map((l) => l.text.trimEnd());
  for (const line of said) {
    const n = lines.filter((l) => l.endsWith(line.trimEnd()) && /^(?:●|\[\w+\]) /.test(l)).length;
    assert.equal(n, 1, `"${line}" shown ${n} times:\n${lines.join("\n")}`);
  }
}

/** Colours as the chip drives pins 9, 10, 11 through the story; amber pulses. */
const COLOURS: Record<string, [number, number, number][]> = {
  off: [[0, 0, 0]],
  blue: [[0, 0, 0.06], [0, 0, 0.5], [0, 0, 1]],
  green: [[0, 1, 0]],
  red: [[1, 0, 0]],
  amber: [[1, 0.4, 0], [0.5, 0.2, 0], [0.1, 0.04, 0], [0.8, 0.32, 0]],
};

async function tellStory(cols: number, env: NodeJS.ProcessEnv): Promise<{ tty: FakeTty; said: string[]; live: string[] }> {
  const screen = new Screen(cols);
  const tty = new FakeTty(cols, screen);
  let pins: [number, number, number] = [0, 0, 0];
  const demo = new DemoScreen(tty, SPEC, (pin) => pins[pin - 9] ?? 0, env);
  const said: string[] = [];
  const live: string[] = [];
  const say = (line: string) => {
    said.push(line);
    demo.say(line);
  };
  const check = async (where: string) => {
    await screen.settled();
    const line = assertLooksRight(screen, cols, where);
    if (line) live.push(line);
  };

  say("fluxlight demo: API server http://127.0.0.1:41235, emulated Uno on /dev/ttyACM0 running firmware/build/fluxlight.hex, LED rgb:9,10,11, progress grace 5s");
  demo.start();
  await check("start");
  // The real scenes, and one whose cluster names are CJK (two columns each).
  const scenes = [...SCENES.map((s) => ({ title: s.title, expect: s.expect })), { title: "Kustomization 東京/アプリ fails to build: 設定ファイルがありません (BuildFailed)", expect: "red" }];
  for (const [i, scene] of scenes.entries()) {
    const label = `scene ${i + 1}/${scenes.length}`;
    demo.setScene(label, scene.title);
    say(`▶ ${label}: ${scene.title}`);
    for (const frame of COLOURS[scene.expect]!) {
      pins = frame;
      await sleep(60); // the screen's own 50 ms redraw picks the new pins up
      await check(`${label}, ${cols} columns`);
    }
    say(`02:13:0${i} INFO  light ok → ${scene.expect}: 1 of 4 objects: Kustomization flux-system/apps BuildFailed: kustomize build failed: accumulating resources: 'deployment.yaml': no such file`);
    say(`  LED: ${demo.led().name}   signal: ${scene.expect} (${label})`);
    await check(`${label} logged, ${cols} columns`);
  }
  demo.stop();
  await screen.settled();
  return { tty, said, live };
}

for (const cols of [40, 80, 200]) {
  test(`renderer at ${cols} columns: each log line once, one live line at the bottom, never wrapped`, async () => {
    const { tty, said, live } = await tellStory(cols, { TERM: "xterm-256color" });
    assertEachOnce(tty.screen, said);
    assert.equal(tty.screen.lines().filter((l) => LIVE.test(l.text)).length, 0, "stop() leaves no live line behind");
    assert.ok(live.some((l) => l.startsWith("● LED red")), "the live line showed red");
    assert.ok(live.some((l) => l.startsWith("● LED amber")), "the live line showed amber");
    if (cols < 40 + MARGIN) assert.ok(live.every((l) => !l.includes("pins")), "no pin detail at 40 columns");
    if (cols === 200) assert.ok(live.some((l) => l.endsWith("scene 9/9: Kustomization 東京/アプリ fails to build: 設定ファイルがありません (BuildFailed)")), "the whole title at 200 columns");
    if (cols === 80) assert.ok(live.some((l) => /\(pins 9=100% 10= {2}0% 11= {2}0%\) {2}scene 3\/9: a bad commit: \S.*…$/.test(l)), `title cut at 80 columns:\n${live.join("\n")}`);
  });
}

test("renderer follows a resize: 200 columns, then 60, then 120", async () => {
  const screen = new Screen(200);
  const tty = new FakeTty(200, screen);
  const demo = new DemoScreen(tty, SPEC, (pin) => (pin === 9 ? 1 : 0), { TERM: "xterm-256color" });
  demo.start();
  demo.setScene("scene 7/8", SCENES[6]!.title);
  for (const cols of [60, 120]) {
    await sleep(60);
    tty.resize(cols);
    demo.say(`now ${cols} columns wide`);
    await sleep(60);
    await screen.settled();
    const line = assertLooksRight(screen, cols, `after a resize to ${cols}`);
    assert.ok(line && line.length > cols - 20, `the line uses the new width: ${line}`);
  }
  demo.stop();
});

test("NO_COLOR: the colour in words, no colour escapes; TERM=dumb: plain lines, no live line", async () => {
  const { tty: noColour, said } = await tellStory(80, { TERM: "xterm-256color", NO_COLOR: "1" });
  assert.doesNotMatch(noColour.raw, /\x1b\[38/, "no colour escape");
  assert.ok(noColour.raw.includes("\r\x1b[2KLED red"), "the live line names the colour");
  assert.ok(noColour.raw.includes("[red] 02:13:02 INFO  light ok → red"), "a log line names the colour");
  assertEachOnce(noColour.screen, said);

  const { tty: dumb } = await tellStory(80, { TERM: "dumb" });
  assert.doesNotMatch(dumb.raw, /[\r\x1b]/, "no carriage return, no escape: a dumb terminal shows them as garbage");
  const lines = dumb.raw.split("\n");
  assert.equal(lines.at(-1), "", "every line ends");
  assert.ok(lines.slice(0, -1).every((l) => /^\[\w+\] /.test(l)), "each line is one log line with the colour in words");
  assert.ok(lines.includes("[amber]   LED: amber   signal: amber (scene 5/9)"), dumb.raw);
});

/** --story two-lights: the RGB LED (platform) and a traffic module (apps) on one board. */
const TWO: ScreenLight[] = [{ name: "platform", led: SPEC }, { name: "apps", led: { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } } }];
/** The two-light live line: a lamp and a name per light (no "LED"). */
const LIVE_TWO = /^(?:● )?platform \S+ .*apps /;
/** Pin levels for a colour: pins 9, 10, 11 (RGB) and 2, 3, 4 (traffic: red, yellow, green). */
const RGB_PINS: Record<string, number[]> = { green: [0, 1, 0], red: [1, 0, 0], amber: [1, 0.4, 0] };
const TRAFFIC_PINS: Record<string, number[]> = { green: [0, 0, 1], red: [1, 0, 0], amber: [0, 1, 0] };

for (const cols of [40, 80, 200]) {
  test(`two lights at ${cols} columns: one live line with a lamp per light, each named, never wrapped`, async () => {
    const screen = new Screen(cols);
    const tty = new FakeTty(cols, screen);
    const levels = new Map<number, number>();
    const demo = new DemoScreen(tty, TWO, (pin) => levels.get(pin) ?? 0, { TERM: "xterm-256color" });
    const said: string[] = [];
    const say = (line: string) => (said.push(line), demo.say(line));
    demo.start();
    const live: string[] = [];
    for (const [i, scene] of SCENES.entries()) {
      const label = `scene ${i + 1}/${SCENES.length}`;
      demo.setScene(label, scene.title);
      say(`▶ ${label}: ${scene.title}`);
      RGB_PINS[scene.expectTwo.platform]!.forEach((v, k) => levels.set(9 + k, v));
      TRAFFIC_PINS[scene.expectTwo.apps]!.forEach((v, k) => levels.set(2 + k, v));
      await sleep(60);
      await screen.settled();
      const line = assertLooksRight(screen, cols, `${label}, ${cols} columns`, LIVE_TWO);
      assert.ok(line, `${label}: a live line`);
      live.push(line);
      const apps = storyName(TWO[1]!.led, scene.expectTwo.apps);
      assert.match(line, new RegExp(`^● platform ${scene.expectTwo.platform} .*●●● apps ${apps}\\b`), `${label}: both lights, each its own colour`);
      say(`  LEDs: platform ${demo.leds()[0]!.name}, apps ${demo.leds()[1]!.name} (${label})`);
    }
    demo.stop();
    await screen.settled();
    assertEachOnce(screen, said);
    if (cols === 200) assert.ok(live.some((l) => /\(pins 9=100% 10= {2}0% 11= {2}0%\) {2}●●● apps green {3}\(pins 2= {2}0% 3= {2}0% 4=100%\) {2}scene 7\/8: rclone serve s3 goes down/.test(l)), `pins and the title at 200 columns:\n${live.join("\n")}`);
    if (cols < 80) assert.ok(live.every((l) => !l.includes("pins")), "the pins go first");
  });
}

test("two lights, NO_COLOR: each light's colour in words, on the live line and before each scrolling line", async () => {
  const screen = new Screen(80);
  const tty = new FakeTty(80, screen);
  const demo = new DemoScreen(tty, TWO, (pin) => (pin === 9 || pin === 4 ? 1 : 0), { TERM: "xterm-256color", NO_COLOR: "1" });
  demo.start();
  demo.say("light platform ok → failed");
  await sleep(60);
  demo.stop();
  assert.doesNotMatch(tty.raw, /\x1b\[38/, "no colour escape");
  assert.ok(tty.raw.includes("\r\x1b[2Kplatform red      apps green"), tty.raw);
  assert.ok(tty.raw.includes("[red|green] light platform ok → failed"), tty.raw);
});

test("`fluxlight demo` in an 80-column pseudo-terminal: each line once, one live LED line, never wrapped", { timeout: 240_000 }, async () => {
  const screen = new Screen(80);
  // script(1) gives the demo a real pty; stty gives it 80 columns, which node reads as stdout.columns.
  const child = spawn("script", ["-q", "-e", "-c", "stty cols 80 rows 24 && exec node agent/bin/fluxlight.js demo --progress-grace 1s", "/dev/null"], {
    cwd: ROOT,
    env: { ...process.env, TERM: "xterm-256color", NO_COLOR: "" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += String(d)));
  let checks = 0;
  let liveSeen = 0;
  let failure: unknown;
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (data: string) => {
    void screen.write(data).then(() => {
      if (failure) return;
      try {
        // At every moment a person could look: at most one live line, on the bottom row, unwrapped.
        if (assertLooksRight(screen, 80, `after ${checks} chunks`)) liveSeen += 1;
        checks += 1;
      } catch (e) {
        failure = e;
      }
    });
  });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  child.stdin.end();
  await screen.settled();
  if (failure) throw failure;
  assert.equal(code, 0, `the demo exits 0; stderr: ${stderr}`);
  assert.ok(liveSeen > 20, `the live line was drawn (${liveSeen} of ${checks} moments)`);

  const lines = screen.lines().map((l) => l.text);
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  for (const i of SCENES.keys()) assert.equal(count(new RegExp(`^● ▶ scene ${i + 1}/8: `)), 1, `scene ${i + 1}'s narration once:\n${lines.join("\n")}`);
  assert.deepEqual(
    lines.filter((l) => l.startsWith("●   LED: ")).map((l) => l.split(/\s+/)[2]),
    ["green", "green", "red", "green", "amber", "green", "red", "green"],
  );
  assert.equal(count(/^● demo over: 8 of 8 scenes/), 1);
  assert.equal(count(/board connected on \/dev\/ttyACM0/), 1);
  assert.equal(count(LIVE), 0, "the demo clears its live line when it ends");
});
