// When the log speaks about one object's verdict: a typed record of what it last said.
import { test } from "node:test";
import assert from "node:assert/strict";
import { verdictNews, type Said } from "../../agent/log/story.ts";
import type { Evaluation } from "../../agent/model.ts";

const ref = { kind: "Kustomization", namespace: "flux-system", name: "apps" };
const ev = (verdict: Evaluation["verdict"], reason = "R", message = "m"): Evaluation => ({ verdict, reason, message });

const cases: { name: string; before?: Said; now: Evaluation; listed?: boolean; said: Said | undefined; line?: { level: string; previous: string | null } }[] = [
  { name: "a ready object in a first list: counted by the list line", now: ev("ready"), listed: true, said: { verdict: "ready" } },
  { name: "a ready object seen by a watch: said", now: ev("ready"), said: { verdict: "ready" }, line: { level: "info", previous: null } },
  { name: "failed: said at warn", now: ev("failed", "BuildFailed"), said: { verdict: "failed", reason: "BuildFailed" }, line: { level: "warn", previous: null } },
  { name: "failed again for the same reason: silence", before: { verdict: "failed", reason: "BuildFailed" }, now: ev("failed", "BuildFailed", "another message"), said: { verdict: "failed", reason: "BuildFailed" } },
  {
    name: "failed for a new reason: news",
    before: { verdict: "failed", reason: "BuildFailed" },
    now: ev("failed", "HealthCheckFailed"),
    said: { verdict: "failed", reason: "HealthCheckFailed" },
    line: { level: "warn", previous: "failed" },
  },
  { name: "progressing (Flux's routine blip): never said, the last word kept", before: { verdict: "ready" }, now: ev("progressing"), said: { verdict: "ready" } },
  { name: "failed → ready: news", before: { verdict: "failed", reason: "BuildFailed" }, now: ev("ready"), said: { verdict: "ready" }, line: { level: "info", previous: "failed" } },
  { name: "ready → ready: silence", before: { verdict: "ready" }, now: ev("ready"), said: { verdict: "ready" } },
  { name: "unreadable: warn, left out", now: ev("unknown", "Unreadable", "conditions is not a list"), said: { verdict: "unknown", message: "conditions is not a list" }, line: { level: "warn", previous: null } },
  { name: "unreadable in the same way: silence", before: { verdict: "unknown", message: "x" }, now: ev("unknown", "Unreadable", "x"), said: { verdict: "unknown", message: "x" } },
  { name: "suspended in a relist after ready: news", before: { verdict: "ready" }, now: ev("suspended"), listed: true, said: { verdict: "suspended" }, line: { level: "info", previous: "ready" } },
];

for (const c of cases) {
  test(`verdict news: ${c.name}`, () => {
    const { said, line } = verdictNews(c.before, ref, c.now, c.listed ?? false);
    assert.deepEqual(said, c.said);
    if (!c.line) return assert.equal(line, undefined);
    assert.ok(line);
    assert.equal(line.level, c.line.level);
    assert.equal(line.fields.event, "verdict");
    assert.equal(line.fields.previous, c.line.previous);
    assert.equal(line.fields.reason, c.now.reason);
    assert.match(line.text, new RegExp(`^Kustomization flux-system/apps is ${c.now.verdict}: ${c.now.reason}`));
  });
}

