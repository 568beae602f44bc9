// Label selectors as kubectl -l takes them: what parses, what each matches, what is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLabelSelector } from "../../agent/source/selector.ts";

const matches = (selector: string, labels: Record<string, string> | undefined) => {
  const r = parseLabelSelector(selector);
  assert.ok(r.ok, r.ok ? "" : r.error);
  return r.value.matches(labels);
};

test("each operator, on labels that match and labels that do not", () => {
  const rows: [string, Record<string, string> | undefined, boolean][] = [
    ["tier=platform", { tier: "platform" }, true],
    ["tier=platform", { tier: "apps" }, false],
    ["tier=platform", undefined, false],
    ["tier==platform", { tier: "platform" }, true],
    ["tier!=platform", { tier: "apps" }, true],
    ["tier!=platform", {}, true],
    ["tier!=platform", { tier: "platform" }, false],
    ["tier", { tier: "" }, true],
    ["tier", {}, false],
    ["!tier", {}, true],
    ["!tier", { tier: "x" }, false],
    ["tier in (a, b)", { tier: "b" }, true],
    ["tier in (a,b)", { tier: "c" }, false],
    ["tier in (a,b)", {}, false],
    ["tier notin (a,b)", { tier: "c" }, true],
    ["tier notin (a,b)", {}, true],
    ["tier notin (a,b)", { tier: "a" }, false],
    ["replicas>2", { replicas: "3" }, true],
    ["replicas>2", { replicas: "2" }, false],
    ["replicas<2", { replicas: "x" }, false],
    ["app.kubernetes.io/part-of=media,tier in (a,b)", { "app.kubernetes.io/part-of": "media", tier: "a" }, true],
    ["app.kubernetes.io/part-of=media,tier in (a,b)", { "app.kubernetes.io/part-of": "media", tier: "c" }, false],
    ["tier=", { tier: "" }, true],
  ];
  for (const [selector, labels, want] of rows) assert.equal(matches(selector, labels), want, `${selector} on ${JSON.stringify(labels)}`);
});

test("refused, with what is wrong", () => {
  const rows: [string, RegExp][] = [
    ["", /^is empty/],
    ["  ", /^is empty/],
    ["a,,b", /an empty requirement/],
    ["tier in (a", /is not key=value/],
    ["tier in ()", /in \(\) needs at least one value/],
    ["Tier==$x", /the value "\$x" is not a label value/],
    ["-tier=a", /the key "-tier" is not a label name/],
    ["Example.COM/x=a", /has a prefix that is not a DNS subdomain/],
    ["a>b", /"b" after > must be a whole number/],
    ["a=b=c", /is not key=value/],
    [`k=${"v".repeat(64)}`, /is not a label value/],
  ];
  for (const [selector, says] of rows) {
    const r = parseLabelSelector(selector);
    assert.equal(r.ok, false, `${JSON.stringify(selector)} parsed`);
    if (!r.ok) assert.match(r.error, says, selector);
  }
});
