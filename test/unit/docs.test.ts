// The signal table is written for people twice — docs/design.md and README — and once for the
// code (SIGNALS, the looks). A person reading either table must read what the LED does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SIGNALS, VERDICTS } from "../../agent/model.ts";
import { HOST_LOST, RGB_LOOKS, SINGLE_LOOKS, type RgbLook, type SingleLook } from "../../agent/light/looks.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

/** The rows of the first Markdown table whose header starts with `header`, as cells. */
function table(text: string, header: string): string[][] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`| ${header} |`));
  assert.ok(start >= 0, `a table headed "${header}"`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(line.split("|").slice(1, -1).map((c) => c.trim()));
  }
  return rows;
}

const COLOURS: Record<string, string> = { "#0000ff": "blue", "#ff0000": "red", "#ff6000": "amber", "#00ff00": "green", "#ff00ff": "magenta" };
const rgbWords = (look: RgbLook) => ({ solid: `solid ${COLOURS[look.color]}`, blink: `${COLOURS[look.color]}, blinking`, pulse: `${COLOURS[look.color]}, pulsing`, off: "off" })[look.effect];
// Fast: a blink a person reads as a flicker; slow: one they can count.
const singleWords = (look: SingleLook) => ({ solid: "on", off: "off", blink: (look.periodMs ?? 0) <= 250 ? "fast blink" : "slow blink" })[look.effect];

for (const doc of ["docs/design.md", "README.md"]) {
  test(`${doc}: the signal table lists every signal in SIGNALS' order, then host lost, each with its looks`, () => {
    const rows = table(read(doc), "signal");
    assert.deepEqual(rows.map((r) => r[0]), [...SIGNALS.map((s) => `\`${s}\``), "host lost"]);
    for (const signal of SIGNALS) {
      const [, , rgb, single] = rows.find((r) => r[0] === `\`${signal}\``)!;
      assert.equal(rgb, rgbWords(RGB_LOOKS[signal]), `${signal} on RGB`);
      assert.equal(single, singleWords(SINGLE_LOOKS[signal]), `${signal} on a single LED`);
    }
    const [, , rgb, single] = rows.at(-1)!;
    const { red, green, blue } = HOST_LOST.channels;
    assert.deepEqual([red.pattern, green.pattern, blue.pattern], ["pulse", "off", "pulse"]);
    assert.equal(rgb, "magenta, pulsing");
    assert.equal(single, HOST_LOST.single.pattern === "blink" && HOST_LOST.single.periodMs > 250 ? "slow blink" : "?");
  });
}

test("README's signal table is design.md's, row for row", () => {
  assert.deepEqual(table(read("README.md"), "signal"), table(read("docs/design.md"), "signal"));
});

test("design.md's verdict table names only verdicts the code has, and every one of them", () => {
  const named = table(read("docs/design.md"), "#").map((r) => /`(\w+)`/.exec(r[2]!)?.[1]);
  assert.deepEqual(new Set(named), new Set(VERDICTS));
});

test("the code cites docs/design.md, which has the sections it cites", () => {
  const design = read("docs/design.md");
  for (const section of ["Verdicts", "Signals and what the LED shows", "The agent (agent/)"]) assert.ok(design.includes(`## ${section}`), section);
  assert.match(design, /source → status → signal → light → link/);
});
