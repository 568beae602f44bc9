// The lights file (--config): what parses, and for each bad file the one line naming the field.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lightContexts, parseLightsFile, readLightsFile } from "../../agent/cli/lights-file.ts";
import { readFileSync } from "node:fs";
import { findKind } from "../../agent/source/kinds.ts";

const KUSTOMIZATION = findKind("Kustomization")!;

test("the issue's example parses: names default to lights[i], absent fields narrow nothing", () => {
  const r = parseLightsFile(`
lights:
  - name: platform              # optional; default lights[0], lights[1], …
    led: rgb:9,10,11            # any --led spec
    namespaces: [infra]
    selector: tier=platform
    kinds: [Kustomization]
    names: [infra/apps-*]
    clusters: [home]
  - led: single:13
    namespaces: [apps]
`);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.deepEqual(r.value, [
    { name: "platform", led: { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false }, namespaces: ["infra"], selector: "tier=platform", kinds: [KUSTOMIZATION], names: ["infra/apps-*"], clusters: ["home"] },
    { name: "lights[1]", led: { kind: "single", pin: 13 }, namespaces: ["apps"], names: [], clusters: [] },
  ]);
});

test("eight pins fit the dead-man's switch: rgb + traffic + two singles", () => {
  const r = parseLightsFile("lights:\n- led: rgb:9,10,11\n- led: traffic:2,3,4\n- led: single:13\n- led: single:A0\n");
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.equal(r.value.length, 4);
});

test("kinds as --kinds reads them; repeated entries are kept once", () => {
  const r = parseLightsFile("lights:\n- led: single:13\n  kinds: [kustomizations, Kustomization, HelmRelease]\n  namespaces: [a, a]\n");
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.deepEqual(r.value[0]!.kinds!.map((k) => k.kind), ["Kustomization", "HelmRelease"]);
  assert.deepEqual(r.value[0]!.namespaces, ["a"]);
});

test("each bad file: one line, starting with the field that is wrong", () => {
  const cases: [string, string][] = [
    ["", "lights: is missing: the file is empty"],
    ["- led: single:13", "lights: is missing: the file must be a mapping with lights:"],
    ["light:\n- led: single:13", "light: unknown field: the file holds only lights:"],
    ["lights:", "lights: is missing: describe at least one light"],
    ["lights: []", "lights: is empty: describe at least one light"],
    ["lights: {led: single:13}", "lights: must be a list of lights"],
    ["lights:\n- single:13", "lights[0]: must be a mapping with led:"],
    ["lights:\n- led: single:13\n  colour: red", "lights[0].colour: unknown field: use name, led, namespaces, selector, kinds, names, clusters"],
    ["lights:\n- led: single:13\n- namespaces: [apps]", "lights[1].led: is missing: give each light its wiring"],
    ["lights:\n- led: 13", "lights[0].led: must be an LED wiring such as single:13 or rgb:9,10,11, not number"],
    ["lights:\n- led: rgb:9,10", 'lights[0].led: "rgb:9,10" needs three pins'],
    ["lights:\n- led: single:13\n- led: traffic:2,3,13", "lights[1].led: pin 13 is already used by lights[0]: each LED needs its own pins"],
    ["lights:\n- {name: status, led: single:13}\n- led: single:13", "lights[1].led: pin 13 is already used by lights[0] (status)"],
    ["lights:\n- led: rgb:2,3,4", "lights[0].led: pin 2 has no PWM on an Uno or Nano, which an RGB LED needs: use PWM pins 3, 5, 6, 9, 10, 11"],
    ["lights:\n- led: rgb-anode:9,10,12", "lights[0].led: pin 12 has no PWM on an Uno or Nano"],
    ["lights:\n- led: rgb:3,5,6\n- led: rgb:9,10,11\n- led: traffic:2,4,7", "lights[2].led: the lights need 9 pins so far, and the board's dead-man's switch holds 8 (firmware/README.md)"],
    ["lights:\n- {name: a, led: single:13}\n- {name: a, led: single:12}", 'lights[1].name: "a" is already the name of lights[0]'],
    ["lights:\n- {name: 'lights[1]', led: single:13}", 'lights[0].name: "lights[1]" is not a light name'],
    ["lights:\n- {name: '', led: single:13}", 'lights[0].name: "" is not a light name'],
    ["lights:\n- {led: single:13, namespaces: apps}", "lights[0].namespaces: must be a list, e.g. [apps]"],
    ["lights:\n- {led: single:13, namespaces: []}", "lights[0].namespaces: is empty: leave it out to mean all"],
    ["lights:\n- {led: single:13, namespaces: [Apps]}", 'lights[0].namespaces[0]: "Apps" is not a namespace name'],
    ["lights:\n- {led: single:13, namespaces: [apps, 7]}", "lights[0].namespaces[1]: must be a string, not number"],
    ["lights:\n- {led: single:13, selector: 'tier in (a'}", 'lights[0].selector: "tier in (a" is not a label selector'],
    ["lights:\n- {led: single:13, selector: 'Tier==$x'}", "lights[0].selector:"],
    ["lights:\n- {led: single:13, selector: ' '}", "lights[0].selector: is empty: expected a label selector"],
    ["lights:\n- {led: single:13, kinds: [Deployment]}", 'lights[0].kinds[0]: "Deployment" is not a Flux kind fluxlight watches'],
    ["lights:\n- {led: single:13, kinds: Kustomization}", "lights[0].kinds: must be a list"],
    ["lights:\n- {led: single:13, names: [apps]}", 'lights[0].names[0]: "apps" is not namespace/name'],
    ["lights:\n- {led: single:13, names: [a/b/c]}", 'lights[0].names[0]: "a/b/c" is not namespace/name'],
    ["lights:\n- {led: single:13, names: [Apps/x]}", 'lights[0].names[0]: "Apps/x": "Apps" is not a namespace'],
    ["lights:\n- {led: single:13, namespaces: [infra], names: [apps/web]}", "lights[0].names[0]: apps/web is in namespace apps, outside the light's namespaces (infra): it could never match"],
    ["lights:\n- {led: single:13, clusters: home}", "lights[0].clusters: must be a list"],
    ["lights:\n- {led: single:13, clusters: [~]}", "lights[0].clusters[0]: must be a string (it is empty)"],
    ["lights:\n  - led: [", "line 2, column 11: not YAML: unexpected end of the stream within a flow collection"],
    ["lights:\n- led: single:13\n  led: single:12", "line 3, column 3: not YAML: duplicated mapping key"],
  ];
  const wrong: string[] = [];
  for (const [text, starts] of cases) {
    const r = parseLightsFile(text);
    if (r.ok) wrong.push(`${JSON.stringify(text)} parsed`);
    else if (!r.error.startsWith(starts) || r.error.includes("\n")) wrong.push(`${JSON.stringify(text)}: ${JSON.stringify(r.error)} does not start with ${JSON.stringify(starts)}`);
  }
  assert.deepEqual(wrong, []);
});

test("a glob in the namespace side is not held to the light's namespaces", () => {
  const r = parseLightsFile("lights:\n- {led: single:13, namespaces: [infra], names: ['*/web', 'infra/*']}");
  assert.ok(r.ok, r.ok ? "" : r.error);
});

test("contexts: --context's, then each a light names, once; one that cannot be watched names the light's field", () => {
  const r = parseLightsFile("lights:\n- {led: single:13}\n- {led: single:12, clusters: [home, away]}\n- {led: single:11, clusters: [away]}");
  assert.ok(r.ok);
  const known = (context: string) => (["home", "away", "work"].includes(context) ? undefined : `no context "${context}"`);
  assert.deepEqual(lightContexts(r.value, ["work", "home"], known), { ok: true, value: ["work", "home", "away"] });
  assert.deepEqual(lightContexts(r.value, [], (c) => (c === "away" ? 'no context "away" in kubeconfig (it has: home)' : undefined)), { ok: false, error: 'lights[1].clusters[1]: no context "away" in kubeconfig (it has: home)' });
  assert.deepEqual(lightContexts([], [], known), { ok: true, value: [] }, "none: the current context");
});

test("reading the file: a missing one, a directory, a readable one", () => {
  const err = (code: string) => () => {
    throw Object.assign(new Error(code), { code });
  };
  assert.deepEqual(readLightsFile("/etc/lights.yaml", err("ENOENT")), { ok: false, error: "/etc/lights.yaml does not exist" });
  assert.deepEqual(readLightsFile("/etc", err("EISDIR")), { ok: false, error: "/etc is a directory, not a file" });
  assert.ok(readLightsFile("x", () => "lights: [{led: single:13}]").ok);
});

test("README's example lights file parses, and fits the 8 pins", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = /### Several lights: the lights file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README has the example");
  const r = parseLightsFile(example);
  assert.ok(r.ok, r.ok ? "" : r.error);
  assert.deepEqual(r.value.map((l) => l.name), ["platform", "apps", "media"]);
});
