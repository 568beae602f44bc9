// Dropping the fields the agent never reads must never change what it reads.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withoutFields } from "../../agent/kube/prune.ts";
import { project, UNREAD_FIELDS } from "../../agent/source/project.ts";
import { bucket, gitRepository, helmRelease, kustomization, ociRepository } from "../../agent/sim/flux/objects.ts";

test("every kind projects the same with and without the fields it never reads, and loses most of its bytes", () => {
  const objects = [
    kustomization({ name: "apps", ready: "True", managedFields: true, inventoryEntries: 50 }),
    kustomization({ name: "broken", ready: "False", reason: "HealthCheckFailed", message: 'timeout: "inventory": [x] {values}', managedFields: true }),
    helmRelease({ name: "grafana", ready: "False", reason: "UpgradeFailed", managedFields: true }),
    gitRepository({ name: "flux-system", ready: "True", managedFields: true }),
    ociRepository({ name: "charts", ready: "Unknown", managedFields: true }),
    bucket({ name: "s3", ready: "False", reason: "BucketOperationFailed", managedFields: true }),
  ];
  for (const o of objects) {
    const text = JSON.stringify(o);
    const pruned = withoutFields(text, UNREAD_FIELDS);
    assert.deepEqual(project(JSON.parse(pruned)), project(JSON.parse(text)), String((o.metadata as { name: string }).name));
    if ((o.metadata as { name: string }).name === "apps") assert.ok(pruned.length < text.length / 3, `${pruned.length} of ${text.length} bytes left`);
  }
});

test("only real keys go: the same text inside strings, escaped quotes and spaced colons are left alone", () => {
  const cases: [unknown, unknown][] = [
    [{ managedFields: [{ a: "}]" }], keep: 1 }, { managedFields: null, keep: 1 }],
    [{ message: 'the "managedFields": [ part' }, { message: 'the "managedFields": [ part' }],
    [{ 'a \\"managedFields': 1 }, { 'a \\"managedFields': 1 }],
    [{ status: { inventory: { entries: [{ id: "x\\\\" }] }, history: [] }, values: "s" }, { status: { inventory: null, history: null }, values: null }],
    [[{ inventory: 1 }, { inventory: { nested: { inventory: [1] } } }], [{ inventory: null }, { inventory: null }]],
  ];
  for (const [input, expected] of cases) assert.deepEqual(JSON.parse(withoutFields(JSON.stringify(input), UNREAD_FIELDS)), expected, JSON.stringify(input));
  assert.equal(withoutFields('{"inventory" : [1]}', UNREAD_FIELDS), '{"inventory" : [1]}');
  assert.throws(() => withoutFields('{"inventory":["unterminated]}', UNREAD_FIELDS), SyntaxError);
});
