import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDuration } from "../../agent/shared/duration.ts";
import { formatDuration } from "../../agent/shared/duration.ts";

test("Go durations → ms", () => {
  const cases: [string, number][] = [
    ["0", 0], ["0s", 0], ["500ms", 500], ["20s", 20_000], ["10m", 600_000], ["1h30m", 5_400_000],
    ["1.5s", 1500], [".5s", 500], ["1m30.5s", 90_500], ["2h", 7_200_000], ["1500us", 2], ["1µs", 1], ["+3s", 3000],
  ];
  for (const [text, ms] of cases) assert.deepEqual(parseDuration(text), { ok: true, value: ms }, text);
});

test("bad durations say what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["20", /^"20" has no unit: use e\.g\. 500ms, 20s/],
    ["10d", /^"10d" has an unknown unit "d"/],
    ["-5s", /^"-5s" is negative/],
    ["", /^"" is not a duration/],
    ["s", /^"s" is not a duration/],
    ["10 s", /^"10 s" is not a duration/],
    ["1h 30m", /is not a duration/],
    ["10S", /is not a duration/],
    ["abc", /^"abc" (is not a duration|has an unknown unit)/],
  ];
  for (const [text, error] of cases) {
    const r = parseDuration(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.error, error, text);
  }
});

test("formatDuration reads like Go", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(250), "250ms");
  assert.equal(formatDuration(20_000), "20s");
  assert.equal(formatDuration(600_000), "10m");
  assert.equal(formatDuration(5_430_500), "1h30m30.5s");
});
