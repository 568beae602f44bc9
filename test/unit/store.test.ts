// The per-scope store (client-go's Store.Replace): a relist replaces exactly its scope.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ScopedStore, scopeKey, type Scope } from "../../agent/source/store.ts";
import type { ObjectRef } from "../../agent/model.ts";

const ks = (namespace: string, name: string): { ref: ObjectRef } => ({ ref: { kind: "Kustomization", namespace, name } });
const inA: Scope = { kind: "Kustomization", namespace: "a" };
const inB: Scope = { kind: "Kustomization", namespace: "b" };
const all: Scope = { kind: "Kustomization" };
const labelled: Scope = { kind: "Kustomization", selector: "app=web" };
const buckets: Scope = { kind: "Bucket", namespace: "a" };

type Op = ["replace", Scope, { ref: ObjectRef }[]] | ["upsert", Scope, { ref: ObjectRef }] | ["delete", Scope, ObjectRef] | ["drop", Scope];

interface Case {
  name: string;
  ops: Op[];
  /** What the last operation reports gone from every scope. */
  deleted: string[];
  /** Every object the store holds afterwards. */
  holds: string[];
}

const names = (refs: Iterable<ObjectRef>) => [...refs].map((r) => `${r.namespace}/${r.name}`).sort();

const cases: Case[] = [
  { name: "a first list holds its objects, deletes nothing", ops: [["replace", inA, [ks("a", "x"), ks("a", "y")]]], deleted: [], holds: ["a/x", "a/y"] },
  { name: "a relist deletes what its scope no longer lists", ops: [["replace", inA, [ks("a", "x"), ks("a", "y")]], ["replace", inA, [ks("a", "y")]]], deleted: ["a/x"], holds: ["a/y"] },
  {
    name: "one namespace's list leaves another namespace's objects alone (the green-forever bug)",
    ops: [["replace", inA, [ks("a", "failing")]], ["replace", inB, [ks("b", "ready")]]],
    deleted: [],
    holds: ["a/failing", "b/ready"],
  },
  { name: "an empty relist of b deletes only b's", ops: [["replace", inA, [ks("a", "x")]], ["replace", inB, [ks("b", "y")]], ["replace", inB, []]], deleted: ["b/y"], holds: ["a/x"] },
  { name: "another kind in the same namespace is another scope", ops: [["replace", inA, [ks("a", "x")]], ["replace", buckets, []]], deleted: [], holds: ["a/x"] },
  {
    name: "an object two scopes hold is gone only when both let it go",
    ops: [["replace", all, [ks("a", "x")]], ["replace", labelled, [ks("a", "x")]], ["replace", all, []]],
    deleted: [],
    holds: ["a/x"],
  },
  {
    name: "…and then the second relist deletes it",
    ops: [["replace", all, [ks("a", "x")]], ["replace", labelled, [ks("a", "x")]], ["replace", all, []], ["replace", labelled, []]],
    deleted: ["a/x"],
    holds: [],
  },
  { name: "a watched ADDED joins its scope and a relist can delete it", ops: [["replace", inA, []], ["upsert", inA, ks("a", "new")], ["replace", inA, []]], deleted: ["a/new"], holds: [] },
  { name: "DELETED in its scope", ops: [["replace", inA, [ks("a", "x")]], ["delete", inA, ks("a", "x").ref]], deleted: ["a/x"], holds: [] },
  { name: "DELETED of an object the scope never held deletes nothing", ops: [["replace", inA, [ks("a", "x")]], ["delete", inB, ks("a", "x").ref]], deleted: [], holds: ["a/x"] },
  { name: "a dropped scope (CRD gone) deletes its objects only", ops: [["replace", inA, [ks("a", "x")]], ["replace", inB, [ks("b", "y")]], ["drop", inA]], deleted: ["a/x"], holds: ["b/y"] },
];

for (const c of cases) {
  test(`store: ${c.name}`, () => {
    const store = new ScopedStore<{ ref: ObjectRef }>();
    let deleted: ObjectRef[] = [];
    for (const op of c.ops) {
      if (op[0] === "replace") deleted = store.replace(op[1], op[2]).deleted;
      else if (op[0] === "upsert") {
        store.upsert(op[1], op[2]);
        deleted = [];
      } else if (op[0] === "delete") deleted = store.delete(op[1], op[2]) ? [op[2]] : [];
      else deleted = store.drop(op[1]).deleted;
    }
    assert.deepEqual(names(deleted), c.deleted, "deleted");
    assert.deepEqual(names([...store.items()].map((i) => i.ref)), c.holds, "holds");
    assert.equal(store.size, c.holds.length);
  });
}

test("store: a scope is (cluster, kind, namespace, selector); all namespaces differ from one", () => {
  const keys = new Set([all, inA, labelled, { ...inA, cluster: "home" }, { ...inA, selector: "app=web" }, { kind: "Bucket" }].map(scopeKey));
  assert.equal(keys.size, 6);
  assert.equal(scopeKey({ kind: "Kustomization", namespace: undefined }), scopeKey(all));
});
