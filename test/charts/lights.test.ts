// FluxLight's `lights`: the lights file written into a ConfigMap the agent reads with --config,
// checked at synth by the agent's own parser, and the grant made from the agent's own watch plan.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import { load } from "js-yaml";
import { parseConfig } from "../../agent/cli/config.ts";
import { parseLightsFile } from "../../agent/cli/lights-file.ts";
import { lightsFileText, type LightProps } from "../../charts/lib/lights.ts";
import { one, render, renderRemote, type Obj } from "./render.ts";

const pod = (objs: Obj[]): Obj => one(objs, "Deployment").spec.template.spec;
const agent = (objs: Obj[]): Obj => pod(objs).containers[0];
const names = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`).sort();
const fileOf = (objs: Obj[]): string => one(objs, "ConfigMap").data["lights.yaml"];

const TWO: LightProps[] = [
  { name: "platform", led: "rgb:9,10,11", namespaces: ["infra", "flux-system"], kinds: ["Kustomization", "Bucket"] },
  { name: "apps", led: "traffic:2,3,4", namespaces: ["apps"], selector: "tier!=experimental", kinds: ["Kustomization", "HelmRelease"] },
];

describe("lights: the file in a ConfigMap, read with --config", () => {
  const { objects } = render({ lights: TWO });

  it("holds the lights as given, and the agent's parser reads the same lights back", () => {
    const text = fileOf(objects);
    assert.deepEqual(load(text), { lights: TWO }, "the file's shape, nothing added");
    const parsed = parseLightsFile(text);
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
    assert.deepEqual(parsed.value.map((l) => ({ name: l.name, led: l.led, namespaces: l.namespaces, selector: l.selector, kinds: l.kinds?.map((k) => k.kind) })), [
      { name: "platform", led: { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false }, namespaces: ["infra", "flux-system"], selector: undefined, kinds: ["Kustomization", "Bucket"] },
      { name: "apps", led: { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } }, namespaces: ["apps"], selector: "tier!=experimental", kinds: ["Kustomization", "HelmRelease"] },
    ]);
    assert.equal(one(objects, "ConfigMap").metadata.namespace, "fluxlight");
  });

  it("writes any text as given (property): YAML's booleans, numbers, nulls, globs and quotes come back as the same strings", () => {
    const text = fc.oneof(fc.string(), fc.constantFrom("null", "true", "no", "on", "~", "123", "0x1f", "1e3", "-", "*", "'", '"', "a: b", "#x", "[a]", "{a}"));
    const light = fc.record({ name: text, led: text, namespaces: fc.array(text, { maxLength: 3 }), selector: text, names: fc.array(text, { maxLength: 3 }), clusters: fc.array(text, { maxLength: 2 }) });
    fc.assert(fc.property(fc.array(light, { minLength: 1, maxLength: 3 }), (lights) => assert.deepEqual(load(lightsFileText(lights as LightProps[])), { lights: lights.map((l) => ({ ...l })) })));
  });

  it("tells the agent --config at the mounted file, and no single-light flag", () => {
    const c = agent(objects);
    assert.deepEqual(c.args, ["run", "--serial", "/dev/fluxlight", "--config", "/etc/fluxlight/lights.yaml", "--http", ":9090", "--log-format", "json", "--log-level", "info"]);
    assert.ok(!c.env.some((e: Obj) => e.name === "FLUXLIGHT_KINDS"), "the file says the kinds");
    const parsed = parseConfig(c.args, Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value])));
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
    assert.equal(parsed.config.config, "/etc/fluxlight/lights.yaml");
  });

  it("mounts it read-only, and a changed file rolls the pod (its digest on the pod template)", () => {
    assert.deepEqual(pod(objects).volumes, [{ name: "config", projected: { sources: [{ configMap: { name: "fluxlight", items: [{ key: "lights.yaml", path: "lights.yaml", mode: 0o444 }] } }] } }]);
    assert.deepEqual(agent(objects).volumeMounts, [{ name: "config", mountPath: "/etc/fluxlight", readOnly: true }]);
    const sum = (objs: Obj[]) => one(objs, "Deployment").spec.template.metadata.annotations["checksum/lights"];
    assert.equal(sum(objects), createHash("sha256").update(fileOf(objects)).digest("hex"));
    assert.equal(sum(render({ lights: TWO }).objects), sum(objects), "the same lights, the same digest: no needless rollout");
    assert.notEqual(sum(render({ lights: [TWO[0]!, { ...TWO[1]!, led: "traffic:4,5,6" }] }).objects), sum(objects));
    assert.equal(pod(objects).securityContext.fsGroup, undefined, "no Secret: nothing needs the group");
    assert.equal(pod(objects).automountServiceAccountToken, true);
  });
});

describe("lights: the grant is the union of the lights' scopes, as the agent lists them", () => {
  it("named namespaces and kinds: a Role in each namespace, on those kinds only", () => {
    const { objects } = render({ lights: TWO });
    assert.equal(objects.filter((o) => o.kind === "ClusterRole").length, 0);
    assert.deepEqual(names(objects, "Role"), ["apps/fluxlight-flux-reader", "flux-system/fluxlight-flux-controllers", "flux-system/fluxlight-flux-reader", "infra/fluxlight-flux-reader"]);
    for (const role of objects.filter((o) => o.kind === "Role" && o.metadata.name === "fluxlight-flux-reader")) {
      assert.deepEqual(role.rules, [
        { apiGroups: ["helm.toolkit.fluxcd.io"], resources: ["helmreleases"], verbs: ["list", "watch"] },
        { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["kustomizations"], verbs: ["list", "watch"] },
        { apiGroups: ["source.toolkit.fluxcd.io"], resources: ["buckets"], verbs: ["list", "watch"] },
      ]);
    }
  });

  it("a light without namespaces (or kinds): cluster-wide, every kind", () => {
    const { objects } = render({ lights: [TWO[0]!, { led: "single:13" }] });
    assert.deepEqual(names(objects, "ClusterRole"), ["/fluxlight-flux-reader"]);
    assert.deepEqual(names(objects, "Role"), ["flux-system/fluxlight-flux-controllers"]);
    assert.deepEqual(one(objects, "ClusterRole").rules, one(render().objects, "ClusterRole").rules);
  });

  it("names that spell out their namespace narrow it, as the agent's watch plan does", () => {
    const { objects } = render({ lights: [{ led: "single:13", names: ["flux-system/apps-*", "media/jellyfin"] }] });
    assert.deepEqual(names(objects, "Role").filter((n) => n.endsWith("reader")), ["flux-system/fluxlight-flux-reader", "media/fluxlight-flux-reader"]);
  });

  it("FluxLightRemoteAccess given the same lights grants the same in the remote cluster", () => {
    const rules = (objs: Obj[]) => objs.filter((o) => o.kind === "Role" || o.kind === "ClusterRole").map((o) => [o.kind, o.metadata.namespace, o.rules]);
    assert.deepEqual(rules(renderRemote({ lights: TWO })), rules(render({ lights: TWO }).objects));
    assert.throws(() => renderRemote({ lights: TWO, kinds: ["Bucket"] }), /lights cannot be combined with kinds or namespaces/);
    assert.throws(() => renderRemote({ lights: [{ led: "single:99" }] }), /^Error: FluxLightRemoteAccess: lights: the agent would refuse the lights file \(exit 2\): lights\[0\]\.led: /);
  });
});

describe("lights over clusters", () => {
  const LIGHTS: LightProps[] = [
    { name: "home", led: "rgb:9,10,11", clusters: ["in-cluster"] },
    { name: "staging", led: "rgb:3,5,6", clusters: ["staging"] },
  ];

  it("a light naming a remote context: the Secret's kubeconfig is mounted beside the file; the agent adds the lights' contexts itself", () => {
    const { objects } = render({ lights: LIGHTS, remoteKubeconfig: { secretName: "fluxlight-remote" } });
    assert.deepEqual(agent(objects).args.slice(-2), ["--kubeconfig", "/etc/fluxlight/kubeconfig"]);
    assert.deepEqual(pod(objects).volumes[0].projected.sources.map((s: Obj) => Object.keys(s)[0]), ["configMap", "secret"]);
    assert.equal(one(objects, "ClusterRole").metadata.name, "fluxlight-flux-reader", "in-cluster is watched: its grant is made");
  });

  it("contexts and lights together: --context for the given ones", () => {
    const { objects } = render({ lights: [{ led: "single:13" }], contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "r" } });
    assert.deepEqual(agent(objects).args.slice(-6), ["--kubeconfig", "/etc/fluxlight/kubeconfig", "--context", "in-cluster", "--context", "staging"]);
  });

  it("only remote clusters named: no grant and no token at home", () => {
    const { objects } = render({ lights: [{ ...LIGHTS[1]! }], remoteKubeconfig: { secretName: "r" } });
    assert.equal(objects.filter((o) => /Role/.test(o.kind)).length, 0);
    assert.equal(pod(objects).automountServiceAccountToken, false);
  });

  it("a remote context without a kubeconfig fails the synth, naming the light's field", () => {
    assert.throws(() => render({ lights: LIGHTS }), (e: Error) => e.message === 'FluxLight: lights: lights[1].clusters[0]: "staging" is not in-cluster and needs remoteKubeconfig: an existing Secret holding a kubeconfig with that context');
  });
});

describe("what the agent would refuse fails the synth, in the agent's words", () => {
  const refused = (props: Parameters<typeof render>[0], message: string) => assert.throws(() => render(props), (e: Error) => e.message === message, message);

  it("a bad light: the agent's line for the field", () => {
    refused({ lights: [{ led: "single:13" }, { led: "single:13" }] }, "FluxLight: lights: the agent would refuse the lights file (exit 2): lights[1].led: pin 13 is already used by lights[0]: each LED needs its own pins");
    const parsed = parseLightsFile("lights: []\n");
    refused({ lights: [] }, `FluxLight: lights: the agent would refuse the lights file (exit 2): ${(parsed as { error: string }).error}`);
    assert.throws(() => render({ lights: [{ led: "rgb:2,3,4" }] }), /lights\[0\]\.led: pin 2 has no PWM/);
    assert.throws(() => render({ lights: [{ led: "single:13", namespaces: ["Apps"] }] }), /lights\[0\]\.namespaces\[0\]: "Apps" is not a namespace name/);
    assert.throws(() => render({ lights: [{ led: "single:13", kinds: ["Kustomisation" as "Kustomization"] }] }), /lights\[0\]\.kinds\[0\]/);
    assert.throws(() => render({ lights: [{ led: "single:13", colour: "red" } as LightProps] }), /lights\[0\]\.colour: unknown field/);
  });

  it("lights beside led, namespaces or kinds", () => {
    refused({ lights: TWO, led: "single:13" }, "FluxLight: lights cannot be combined with led: each light has its own led, namespaces and kinds; move it into the lights");
    refused({ lights: TWO, namespaces: ["a"], kinds: ["Bucket"] }, "FluxLight: lights cannot be combined with namespaces, kinds: each light has its own led, namespaces and kinds; move them into the lights");
  });

  it("a single-light flag or --config in extraArgs", () => {
    assert.throws(() => render({ lights: TWO, extraArgs: ["--selector", "a=b"] }), /^Error: FluxLight: the agent would refuse to start \(exit 2\): --selector: cannot be combined with --config/);
    refused({ extraArgs: ["--config", "/x.yaml"] }, "FluxLight: extraArgs: --config is set by the chart: use the lights prop");
  });
});
