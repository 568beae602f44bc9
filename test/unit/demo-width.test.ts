// The demo's live line must take exactly one terminal row: how wide a string is, how it is cut,
// and how the line gives up its parts as the terminal narrows.
/* eslint-disable no-control-regex -- escape sequences are what these tests look for */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { columns, fit } from "../../agent/demo/width.ts";
import { liveLine, MARGIN, type LiveParts } from "../../agent/demo/live-line.ts";

const RED = "\x1b[38;2;255;0;0m";
const RESET = "\x1b[0m";

test("columns: escapes none, ambiguous symbols one, CJK and emoji two, combining marks none", () => {
  const cases: [string, number][] = [
    ["", 0],
    ["LED red", 7],
    [`${RED}●${RESET}`, 1],
    ["● ▶ →", 5],
    ["東京", 4],
    ["apps-東京", 9],
    ["한국어", 6],
    ["ｆｕｌｌ", 8],
    ["🚀", 2],
    ["👍🏽", 4], // skin tone counted on its own: errs wide, which is safe
    ["▶️", 2], // VS16: drawn as an emoji
    ["e\u0301", 1], // e + combining acute
    ["a\u200db", 2], // zero-width joiner
    ["\x1b]0;title\x07ok", 2], // OSC: sets the window title, takes no column
    ["\x9b31mC1", 2],
  ];
  for (const [text, n] of cases) assert.equal(columns(text), n, JSON.stringify(text));
});

test("fit: unchanged when it fits, else cut with an ellipsis at a code point, colour reset", () => {
  assert.equal(fit("scene 3/8", 9), "scene 3/8");
  assert.equal(fit("a bad commit: apps fails", 10), "a bad com…");
  assert.equal(fit("a bad commit", 7), "a bad…", "no space before the ellipsis");
  assert.equal(fit("東京東京", 5), "東京…");
  assert.equal(fit("東京東京", 4), "東…", "a wide character that would overflow is left out whole");
  assert.equal(fit("🚀🚀🚀", 4), "🚀…");
  assert.equal(fit(`${RED}●${RESET} LED red`, 5), `${RED}●${RESET} LE…${RESET}`);
  assert.equal(fit("anything", 0), "");
});

/** Text mixing what a scene title or a log line can hold: ASCII, CJK, emoji (surrogate pairs), combining marks, SGR and OSC escapes. */
const mixed = fc
  .array(fc.constantFrom("a", "Z", " ", ":", "●", "▶", "→", "東", "한", "🚀", "👍🏽", "e\u0301", RED, RESET, "\x1b]0;t\x07", "\x1b[2K"), { maxLength: 40 })
  .map((parts) => parts.join(""));

test("fit (property): the result fits, and is a prefix cut between whole pieces", () => {
  fc.assert(
    fc.property(mixed, fc.integer({ min: 0, max: 60 }), (text, width) => {
      const out = fit(text, width);
      assert.ok(columns(out) <= width, `${JSON.stringify(out)} in ${width}`);
      if (columns(text) <= width) return assert.equal(out, text);
      const kept = out.replace(/…(\x1b\[0m)?$/, "");
      assert.ok(text.startsWith(kept), "a prefix of the text");
      // Never inside a surrogate pair, never inside an escape sequence.
      assert.ok(!/[\ud800-\udbff]$/.test(kept), "no lone high surrogate at the cut");
      assert.ok(!/\x1b(\[[0-?]*|\][^\x07]*)?$/.test(kept), `no escape cut open: ${JSON.stringify(kept)}`);
    }),
  );
});

const parts = (over: Partial<LiveParts> = {}): LiveParts => ({
  lamp: `${RED}●${RESET}`,
  name: "red",
  pins: "9=100% 10=0% 11=0%",
  scene: "scene 3/8",
  title: "a bad commit: apps fails to build (BuildFailed)",
  ...over,
});
const seen = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, "");

test("live line: everything at 200 columns, the title cut at 80, no pins at 40", () => {
  assert.equal(seen(liveLine(parts(), 200)), "● LED red     (pins 9=100% 10=  0% 11=  0%)  scene 3/8: a bad commit: apps fails to build (BuildFailed)");
  assert.equal(seen(liveLine(parts(), 80)), "● LED red     (pins 9=100% 10=  0% 11=  0%)  scene 3/8: a bad commit: apps f…");
  assert.equal(seen(liveLine(parts(), 60)), "● LED red     (pins 9=100% 10=  0% 11=  0%)  scene 3/8", "the title goes before the pins");
  assert.equal(seen(liveLine(parts(), 45)), "● LED red  scene 3/8: a bad commit: apps…", "then the pins");
  assert.equal(seen(liveLine(parts(), 39)), "● LED red  scene 3/8: a bad commit:…", "narrow: no pins even if they would fit");
  assert.equal(seen(liveLine(parts(), 23)), "● LED red  scene 3/8");
  assert.equal(seen(liveLine(parts(), 20)), "● LED red");
  assert.equal(seen(liveLine(parts(), 8)), "● LE…");
  assert.equal(seen(liveLine(parts({ lamp: "" }), 80)), "LED red     (pins 9=100% 10=  0% 11=  0%)  scene 3/8: a bad commit: apps fai…", "no colour");
  assert.equal(seen(liveLine(parts({ scene: "", title: "" }), 80)), "● LED red     (pins 9=100% 10=  0% 11=  0%)", "before the story");
});

test("live line with two lights (--story two-lights): a lamp per light, each named; the title goes first, then the pins, then the second light is cut", () => {
  const two = parts({ label: "platform", more: [{ lamp: "●●●", name: "green", pins: "2=0% 3=0% 4=100%", label: "apps" }] });
  assert.equal(seen(liveLine(two, 200)), "● platform red     (pins 9=100% 10=  0% 11=  0%)  ●●● apps green   (pins 2=  0% 3=  0% 4=100%)  scene 3/8: a bad commit: apps fails to build (BuildFailed)");
  assert.equal(seen(liveLine(two, 80)), "● platform red      ●●● apps green  scene 3/8: a bad commit: apps fails to b…");
  assert.equal(seen(liveLine(two, 40)), "● platform red      ●●● apps green");
  assert.equal(seen(liveLine(two, 30)), "● platform red      ●●● ap…");
  assert.equal(seen(liveLine({ ...two, lamp: "", more: [{ lamp: "", name: "green", pins: "", label: "apps" }] }, 60)), "platform red      apps green  scene 3/8: a bad commit: a…", "no colour");
});

test("live line (property): at any width it takes at most width - MARGIN columns and keeps the lamp whole", () => {
  const anyParts = fc.record({
    lamp: fc.constantFrom(`${RED}●${RESET}`, ""),
    name: fc.constantFrom("off", "red", "amber", "rgb(255,128,255)"),
    pins: fc.constantFrom("9=100% 10=0% 11=0%", "13=0%"),
    scene: fc.constantFrom("scene 1/8", ""),
    title: mixed,
  });
  fc.assert(
    fc.property(anyParts, fc.integer({ min: 1, max: 240 }), (p, width) => {
      const line = liveLine(p, width);
      assert.ok(columns(line) <= Math.max(0, width - MARGIN), `${JSON.stringify(line)} at ${width}`);
      if (width >= 20 && p.lamp) assert.ok(line.startsWith(p.lamp), "the lamp and its colour reset are never cut");
      if (width < 40) assert.ok(!line.includes("pins"), "no pin detail under 40 columns");
    }),
  );
});
