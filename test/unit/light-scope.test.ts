// A light's scope: which objects it counts (a table per field, and the fields together), and what
// the agent lists and watches for several lights (the union, one list+watch per kind and namespace).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ALL_OBJECTS, namespacesOf, scopeMatcher, watchPlan, type Candidate, type LightScope } from "../../agent/source/light-scope.ts";
import { findKind } from "../../agent/source/kinds.ts";
import { project } from "../../agent/source/project.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";

const KS = findKind("Kustomization")!;
const HR = findKind("HelmRelease")!;
const scope = (over: Partial<LightScope>): LightScope => ({ ...ALL_OBJECTS, ...over });
const obj = (kind: string, namespace: string, name: string, labels?: Record<string, string>): Candidate => ({ kind, namespace, name, ...(labels ? { labels } : {}) });

test("the matcher: each field narrows; absent fields narrow nothing", () => {
  const rows: [string, Partial<LightScope>, Candidate, boolean][] = [
    ["everything", {}, obj("Bucket", "x", "y"), true],
    ["namespace in", { namespaces: ["apps", "infra"] }, obj("Kustomization", "infra", "a"), true],
    ["namespace out", { namespaces: ["apps"] }, obj("Kustomization", "infra", "a"), false],
    ["kind in", { kinds: [KS, HR] }, obj("HelmRelease", "a", "b"), true],
    ["kind out", { kinds: [KS] }, obj("HelmRelease", "a", "b"), false],
    ["name glob", { names: ["flux-system/apps-*"] }, obj("Kustomization", "flux-system", "apps-web"), true],
    ["name glob, empty run", { names: ["flux-system/apps-*"] }, obj("Kustomization", "flux-system", "apps-"), true],
    ["name glob, other namespace", { names: ["flux-system/apps-*"] }, obj("Kustomization", "infra", "apps-web"), false],
    ["name glob, prefix only", { names: ["flux-system/apps-*"] }, obj("Kustomization", "flux-system", "my-apps-web"), false],
    ["any namespace", { names: ["*/redis"] }, obj("HelmRelease", "cache", "redis"), true],
    ["dots are literal", { names: ["a/b.c"] }, obj("HelmRelease", "a", "bxc"), false],
    ["several names: any", { names: ["a/x", "b/*"] }, obj("Kustomization", "b", "q"), true],
    ["selector matches", { selector: "tier=platform" }, obj("Kustomization", "a", "b", { tier: "platform" }), true],
    ["selector, no labels", { selector: "tier=platform" }, obj("Kustomization", "a", "b"), false],
    ["selector, !key and no labels", { selector: "!legacy" }, obj("Kustomization", "a", "b"), true],
    ["all fields, all match", { namespaces: ["infra"], kinds: [KS], names: ["infra/core-*"], selector: "tier in (platform)" }, obj("Kustomization", "infra", "core-dns", { tier: "platform" }), true],
    ["all fields, the selector does not", { namespaces: ["infra"], kinds: [KS], names: ["infra/core-*"], selector: "tier in (platform)" }, obj("Kustomization", "infra", "core-dns", { tier: "apps" }), false],
  ];
  for (const [name, over, candidate, want] of rows) assert.equal(scopeMatcher(scope(over))!(candidate), want, name);
});

test("clusters: a light covers only the contexts it names; with none, every cluster", () => {
  assert.equal(scopeMatcher(scope({ clusters: ["home"] }), "work"), undefined);
  assert.equal(scopeMatcher(scope({ clusters: ["home"] }), "home")!(obj("Bucket", "a", "b")), true);
  assert.equal(scopeMatcher(scope({}), "anything")!(obj("Bucket", "a", "b")), true);
});

test("the matcher reads the labels the projection carries", () => {
  const view = project(kustomization({ name: "web", namespace: "apps", ready: "True", labels: { team: "web" } }));
  assert.deepEqual(view.labels, { team: "web" });
  assert.equal(scopeMatcher(scope({ selector: "team=web" }))!(view), true);
  assert.equal(scopeMatcher(scope({ selector: "team=db" }))!(view), false);
  const odd = kustomization({ name: "x", ready: "True" }) as { metadata: Record<string, unknown> };
  odd.metadata.labels = { a: "1", n: 2, o: null };
  assert.deepEqual(project(odd).labels, { a: "1" }, "a value that is not a string is no label");
  odd.metadata.labels = ["a"];
  assert.equal(project(odd).labels, undefined);
});

test("a light's namespaces: its own, else those its names spell out, else all", () => {
  assert.deepEqual(namespacesOf(scope({ namespaces: ["a", "b", "a"] })), ["a", "b"]);
  assert.deepEqual(namespacesOf(scope({ names: ["flux-system/apps-*", "infra/x"] })), ["flux-system", "infra"]);
  assert.deepEqual(namespacesOf(scope({ names: ["flux-system/apps-*", "*/x"] })), []);
  assert.deepEqual(namespacesOf(scope({})), []);
});

test("the watch plan: one list+watch per (kind, namespace) however the lights overlap", () => {
  const rows: [string, Partial<LightScope>[], string, { namespace?: string; selector?: string }[], string[] | undefined][] = [
    ["one light, as the flags always did", [{ namespaces: ["a", "b"], selector: "x=y" }], "Kustomization", [{ namespace: "a", selector: "x=y" }, { namespace: "b", selector: "x=y" }], undefined],
    ["two lights, the same namespace: one watch", [{ namespaces: ["apps"] }, { namespaces: ["apps"], kinds: [KS] }], "Kustomization", [{ namespace: "apps" }], undefined],
    ["one light takes every namespace: one cluster-wide watch", [{ namespaces: ["apps"] }, {}], "Kustomization", [{}], undefined],
    ["different selectors: applied in the agent", [{ selector: "a=1" }, { selector: "a=2" }], "Kustomization", [{}], undefined],
    ["one with a selector, one without: applied in the agent", [{ selector: "a=1" }, {}], "Kustomization", [{}], undefined],
    ["the same selector: sent to the server", [{ selector: "a=1", namespaces: ["x"] }, { selector: "a=1", namespaces: ["y"] }], "Kustomization", [{ namespace: "x", selector: "a=1" }, { namespace: "y", selector: "a=1" }], undefined],
    ["namespaces only for the lights that take the kind", [{ namespaces: ["infra"], kinds: [KS] }, { namespaces: ["apps"], kinds: [HR] }], "HelmRelease", [{ namespace: "apps" }], ["Kustomization", "HelmRelease"]],
    ["names narrow the namespaces", [{ names: ["flux-system/apps-*"] }], "Kustomization", [{ namespace: "flux-system" }], undefined],
  ];
  for (const [name, scopes, kind, want, kinds] of rows) {
    const plan = watchPlan(scopes.map(scope));
    assert.deepEqual(plan.scopesOf(kind), want, name);
    assert.deepEqual(plan.kinds?.map((k) => k.kind), kinds, `${name}: kinds`);
  }
});
