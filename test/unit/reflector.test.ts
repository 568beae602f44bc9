// How a watch ended → what the reflector does next (client-go's "very short watch" rule).
import { test } from "node:test";
import assert from "node:assert/strict";
import { nextStep, SHORT_WATCH_MS } from "../../agent/source/reflector.ts";

test("a watch's end → the next step", () => {
  const cases: [Parameters<typeof nextStep>[0], ReturnType<typeof nextStep>][] = [
    [{ kind: "gone" }, "relist"],
    [{ kind: "refused", error: new Error("ECONNREFUSED") }, "back-off"],
    [{ kind: "closed", lastedMs: 300_000, delivered: 0 }, "resume"],
    [{ kind: "closed", lastedMs: 3, delivered: 0 }, "back-off"], // 200 and close at once
    [{ kind: "closed", lastedMs: 3, delivered: 1 }, "resume"],
    [{ kind: "closed", lastedMs: SHORT_WATCH_MS, delivered: 0 }, "resume"],
    [{ kind: "dropped", lastedMs: 60_000, delivered: 0, error: new Error("socket hang up") }, "resume-soon"],
    [{ kind: "dropped", lastedMs: 2, delivered: 0, error: new Error("socket hang up") }, "back-off"],
  ];
  for (const [end, expected] of cases) assert.equal(nextStep(end), expected, JSON.stringify(end));
});
