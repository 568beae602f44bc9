// A list parsed item by item must read exactly as JSON.parse reads it, whatever the text holds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { listParser, parseList } from "../../agent/kube/list-json.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";

/** Fed whole and in chunks of every awkward size, the items and the rest read as JSON.parse reads them. */
function both(text: string) {
  const whole = JSON.parse(text) as Record<string, unknown>;
  const { items: expected, ...expectedRest } = whole;
  for (const size of [text.length, 1, 2, 3, 7, 64]) {
    const items: unknown[] = [];
    const parser = listParser((i) => items.push(i));
    for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
    const rest = parser.end();
    assert.deepEqual(items, expected ?? [], `${text.slice(0, 60)} in chunks of ${size}`);
    assert.deepEqual(rest, expectedRest);
  }
}

test("items with brackets, quotes, backslashes and unicode inside strings come out as JSON.parse makes them", () => {
  const tricky = [
    { message: 'kustomize build failed: "]" }, { and [ [' },
    { message: "a backslash at the end \\" },
    { message: 'two \\\\" then a quote' },
    { message: "naïve ✓ 🚦 \u0000 \u2028" },
    { nested: [[[{ a: [] }]], {}], n: -1.5e3, t: true, f: false, z: null },
    { "items": [{ x: 1 }], "key with \\\" escapes": "items" },
  ];
  both(JSON.stringify({ apiVersion: "v1", items: tricky, kind: "List", metadata: { resourceVersion: "7", continue: "abc" } }));
  both(JSON.stringify({ metadata: { resourceVersion: "7" }, kind: "List", items: tricky }, null, 2));
  both('{ "items" : [ ] , "metadata" : { } }');
  both("{}");
  both('{"kind":"List","metadata":{"resourceVersion":"1"}}');
  both(`{"items":[${JSON.stringify(kustomization({ name: "apps", ready: "False", message: 'x "} ]' }))}]}`);
  both('{"metadata":{"items":[1,2]},"other":[{"a":1}],"items":[{"b":2}]}');
});

test("what is not JSON is refused as JSON.parse refuses it", () => {
  for (const bad of ['{"items":[{"a":1},]}', '{"items":[,{"a":1}]}', '{"items":[{"a":1} {"a":2}]}', '{"items":[{"a":"unterminated}]}', '{"items":[1,2]}', '{"items":["a"]}', '{"items":[]} trailing', "[1,2]", "", '{"items":[{"a":1}]', '{"items":[{"a":1']) {
    assert.throws(() => parseList(bad, () => {}), (err: unknown) => err instanceof Error, bad);
  }
});
