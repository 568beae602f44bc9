import { test } from "node:test";
import assert from "node:assert/strict";
import { MESSAGE_LIMIT, project } from "../../agent/source/project.ts";
import { kustomization as simKustomization, type KustomizationOptions } from "../../agent/sim/flux/objects.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";

// Objects as the simulator (and a real server) serves them; tests break them by hand.
const kustomization = (o: Partial<KustomizationOptions> = {}): Record<string, any> => simKustomization({ name: "main", ...o }); // eslint-disable-line @typescript-eslint/no-explicit-any
const failing = (message: string) => kustomization({ ready: "False", reason: "BuildFailed", message });
const readyCondition = () => (kustomization({ ready: "True" }).status.conditions as JsonObject[])[0]!;

test("projects only what a verdict needs", () => {
  const obj = kustomization({ generation: 3, suspend: true, ready: "False", reason: "BuildFailed", message: "boom" });
  assert.ok((obj.status.inventory.entries as unknown[]).length > 0, "inventory, history, managedFields are all dropped");
  assert.deepEqual(project(obj), {
    kind: "Kustomization",
    namespace: "flux-system",
    name: "main",
    generation: 3,
    observedGeneration: 2,
    suspend: true,
    conditions: [
      { type: "Reconciling", status: "True", reason: "ProgressingWithRetry", message: "boom", observedGeneration: 3, lastTransitionTime: "2026-07-01T12:00:00Z" },
      { type: "Ready", status: "False", reason: "BuildFailed", message: "boom", observedGeneration: 3, lastTransitionTime: "2026-07-01T12:00:00Z" },
    ],
  });
});

test("the watched kind names the object even when list items carry no kind", () => {
  const obj = kustomization({ ready: "True" });
  delete obj.kind;
  assert.equal(project(obj, "Kustomization").kind, "Kustomization");
  assert.equal(project(obj).unreadable, "kind is missing");
});

test("never throws, and says precisely what cannot be read", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the point is to break the shape
  const cases: [string, (o: Record<string, any>) => unknown][] = [
    ["the object is null, not an object", () => null],
    ["the object is a list, not an object", () => []],
    ['the object is the string "x", not an object', () => "x"],
    ["metadata is missing", (o) => (delete o.metadata, o)],
    ["metadata.name is missing", (o) => (delete o.metadata.name, o)],
    ["metadata.name is the number 7, not a string", (o) => ((o.metadata.name = 7), o)],
    ["metadata.namespace is true, not a string", (o) => ((o.metadata.namespace = true), o)],
    ['metadata.generation is the string "2", not a whole number', (o) => ((o.metadata.generation = "2"), o)],
    ["metadata.generation is the number 1.5, not a whole number", (o) => ((o.metadata.generation = 1.5), o)],
    ["metadata.deletionTimestamp is the number 0, not a string", (o) => ((o.metadata.deletionTimestamp = 0), o)],
    ["spec is a list, not an object", (o) => ((o.spec = []), o)],
    ['spec.suspend is the string "true", not true or false', (o) => ((o.spec.suspend = "true"), o)],
    ['status is the string "ok", not an object', (o) => ((o.status = "ok"), o)],
    ["status.observedGeneration is an object, not a whole number", (o) => ((o.status.observedGeneration = {}), o)],
    ["status.conditions is an object, not a list", (o) => ((o.status.conditions = {}), o)],
    ["status.conditions[1] is the number 3, not an object", (o) => ((o.status.conditions = [readyCondition(), 3]), o)],
    ["status.conditions[0].type is missing", (o) => (delete o.status.conditions[0].type, o)],
    ["status.conditions[0].type is the number 1, not a string", (o) => ((o.status.conditions[0].type = 1), o)],
    ["status.conditions[0] (Ready) has no status", (o) => (delete o.status.conditions[0].status, o)],
    ["status.conditions[0].status is true, not a string", (o) => ((o.status.conditions[0].status = true), o)],
    ['status.conditions[0].status is "true", not True, False or Unknown', (o) => ((o.status.conditions[0].status = "true"), o)],
    ["status.conditions[0].reason is a list, not a string", (o) => ((o.status.conditions[0].reason = []), o)],
    ["status.conditions[0].message is the number 5, not a string", (o) => ((o.status.conditions[0].message = 5), o)],
    ['status.conditions[0].observedGeneration is the string "1", not a whole number', (o) => ((o.status.conditions[0].observedGeneration = "1"), o)],
    ["status.conditions has more than one Ready condition", (o) => ((o.status.conditions = [readyCondition(), readyCondition()]), o)],
  ];
  for (const [sentence, breakIt] of cases) {
    const view = project(breakIt(kustomization({ ready: "True" })), "Kustomization");
    assert.equal(view.unreadable, sentence);
    assert.deepEqual(view.conditions, [], sentence);
    assert.equal(view.suspend, false, sentence);
    assert.equal(view.generation, undefined, sentence);
  }
});

test("an unreadable object keeps its identity, so it can be logged and forgotten", () => {
  const obj = kustomization({ name: "apps", namespace: "prod", ready: "True" });
  (obj.status as Record<string, unknown>).conditions = "nope";
  const view = project(obj);
  assert.deepEqual([view.kind, view.namespace, view.name], ["Kustomization", "prod", "apps"]);
  assert.ok(view.unreadable);
});

test("null optional fields read as absent", () => {
  const obj = kustomization({ ready: "True" });
  (obj.metadata as Record<string, unknown>).deletionTimestamp = null;
  (obj.spec as Record<string, unknown>).suspend = null;
  (obj.status as Record<string, unknown>).observedGeneration = null;
  const view = project(obj);
  assert.equal(view.unreadable, undefined);
  assert.equal("deletionTimestamp" in view, false);
  assert.equal("observedGeneration" in view, false);
  assert.equal(view.suspend, false);
});

test("a huge message is capped and marked, never split inside a surrogate pair", () => {
  const huge = "x".repeat(1 << 20);
  const view = project(failing(huge));
  const message = view.conditions.find((c) => c.type === "Ready")!.message!;
  assert.ok(message.length < MESSAGE_LIMIT + 64);
  assert.ok(message.startsWith("x".repeat(MESSAGE_LIMIT)));
  assert.match(message, /truncated, 1048576 characters in all/);

  const emoji = "a".repeat(MESSAGE_LIMIT - 1) + "😀" + "tail";
  const cut = project(failing(emoji)).conditions.find((c) => c.type === "Ready")!.message!;
  assert.ok(cut.startsWith("a".repeat(MESSAGE_LIMIT - 1) + "…"), "a lone high surrogate would be kept");
});

test("a message at the limit is kept as is, control characters and all (escaping is display's job)", () => {
  const exact = "\u001b[31m" + "y".repeat(MESSAGE_LIMIT - 5);
  assert.equal(exact.length, MESSAGE_LIMIT);
  assert.equal(project(failing(exact)).conditions.find((c) => c.type === "Ready")!.message, exact);
});
