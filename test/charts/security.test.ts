// The security-relevant fields of both device-access modes, field by field.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../agent/cli/config.ts";
import { parseLedSpec } from "../../agent/light/led-spec.ts";
import { AGENT_RESOURCES } from "../../charts/lib/sizing.ts";
import { diff, one, render, type Obj } from "./render.ts";

const ALL_RULES = [
  { apiGroups: ["helm.toolkit.fluxcd.io"], resources: ["helmreleases"], verbs: ["list", "watch"] },
  { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["kustomizations"], verbs: ["list", "watch"] },
  {
    apiGroups: ["source.toolkit.fluxcd.io"],
    resources: ["buckets", "gitrepositories", "helmcharts", "helmrepositories", "ocirepositories"],
    verbs: ["list", "watch"],
  },
];

const pod = (objs: Obj[]): Obj => one(objs, "Deployment").spec.template.spec;
const agent = (objs: Obj[]): Obj => {
  const cs = pod(objs).containers;
  assert.equal(cs.length, 1, "one container");
  return cs[0];
};

describe("default synth (device-plugin)", () => {
  const { objects } = render();

  it("emits exactly the eight expected objects", () => {
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(), [
      "ClusterRole/fluxlight-flux-reader",
      "ClusterRoleBinding/fluxlight-flux-reader",
      "Deployment/fluxlight",
      "Namespace/fluxlight",
      "Role/fluxlight-flux-controllers",
      "RoleBinding/fluxlight-flux-controllers",
      "Service/fluxlight",
      "ServiceAccount/fluxlight",
    ]);
  });

  it("lets the agent list and watch the Flux controllers' Deployments and Leases in flux-system, and nothing more", () => {
    const role = one(objects, "Role");
    assert.equal(role.metadata.namespace, "flux-system");
    assert.deepEqual(role.rules, [
      { apiGroups: ["apps"], resources: ["deployments"], verbs: ["list", "watch"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["list", "watch"] },
    ]);
    const b = one(objects, "RoleBinding");
    assert.equal(b.metadata.namespace, "flux-system");
    assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "fluxlight-flux-controllers" });
    assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: "fluxlight", namespace: "fluxlight" }]);
  });

  it("grants list/watch (all the agent does) on exactly the seven Flux kinds and nothing else", () => {
    const role = one(objects, "ClusterRole");
    assert.deepEqual(role.rules, ALL_RULES);
    assert.equal(role.aggregationRule, undefined);
    const flat = JSON.stringify(role.rules);
    assert.ok(!flat.includes("*"), "no wildcards");
    assert.ok(!/secrets|configmaps|"create"|"update"|"patch"|"delete"/.test(flat));
  });

  it("binds the role to the agent's ServiceAccount only", () => {
    const b = one(objects, "ClusterRoleBinding");
    assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "fluxlight-flux-reader" });
    assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: "fluxlight", namespace: "fluxlight" }]);
    assert.equal(pod(objects).serviceAccountName, "fluxlight");
  });

  it("runs one replica with the Recreate strategy", () => {
    const d = one(objects, "Deployment");
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: "Recreate" });
  });

  it("locks the pod down", () => {
    const p = pod(objects);
    assert.deepEqual(p.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      supplementalGroups: [27],
      seccompProfile: { type: "RuntimeDefault" },
    });
    for (const f of ["hostNetwork", "hostPID", "hostIPC", "volumes", "initContainers", "shareProcessNamespace"]) {
      assert.equal(p[f], undefined, f);
    }
    assert.equal(p.enableServiceLinks, false);
  });

  it("locks the container down and asks for the device through the plugin", () => {
    const c = agent(objects);
    assert.deepEqual(c.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsGroup: 65532,
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.equal(c.volumeMounts, undefined);
    assert.deepEqual(c.resources, {
      requests: { ...AGENT_RESOURCES.requests, "squat.ai/serial": "1" },
      limits: { ...AGENT_RESOURCES.limits, "squat.ai/serial": "1" },
    });
  });

  it("labels the namespace for the restricted Pod Security level", () => {
    const labels = one(objects, "Namespace").metadata.labels;
    for (const m of ["enforce", "warn", "audit"]) assert.equal(labels[`pod-security.kubernetes.io/${m}`], "restricted");
  });

  it("probes the agent's HTTP endpoints and serves metrics", () => {
    const c = agent(objects);
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 9090, protocol: "TCP" }]);
    assert.deepEqual(c.livenessProbe.httpGet, { path: "/healthz", port: "http" });
    assert.deepEqual(c.readinessProbe.httpGet, { path: "/readyz", port: "http" });
    assert.deepEqual(c.args, ["run", "--serial", "/dev/fluxlight", "--led", "single:13", "--http", ":9090", "--log-format", "json", "--log-level", "info"]);
    const svc = one(objects, "Service");
    assert.deepEqual(svc.spec.ports, [{ name: "metrics", port: 9090, targetPort: "http", protocol: "TCP" }]);
    assert.deepEqual(svc.spec.selector, one(objects, "Deployment").spec.selector.matchLabels);
  });

  it("needs no writable filesystem, tsx's cache included", () => {
    assert.deepEqual(agent(objects).env, [{ name: "TSX_DISABLE_CACHE", value: "1" }, { name: "NODE_OPTIONS", value: "--max-semi-space-size=1" }]);
  });
});

describe("props", () => {
  it("narrowing kinds narrows the ClusterRole and tells the agent", () => {
    const { objects } = render({ kinds: ["Kustomization", "Bucket"] });
    assert.deepEqual(one(objects, "ClusterRole").rules, [
      { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["kustomizations"], verbs: ["list", "watch"] },
      { apiGroups: ["source.toolkit.fluxcd.io"], resources: ["buckets"], verbs: ["list", "watch"] },
    ]);
    assert.ok(agent(objects).env.some((e: Obj) => e.name === "FLUXLIGHT_KINDS" && e.value === "Kustomization,Bucket"));
  });

  it("takes the device resource, group, node, path and LED", () => {
    const { objects } = render({
      deviceResource: "example.com/arduino",
      deviceGroup: 20,
      node: "shelf",
      serialPath: "/dev/serial/by-id/usb-Arduino_Uno-if00",
      led: "rgb:9,10,11",
    });
    const p = pod(objects);
    assert.deepEqual(p.securityContext.supplementalGroups, [20]);
    assert.deepEqual(p.nodeSelector, { "kubernetes.io/hostname": "shelf" });
    assert.equal(agent(objects).resources.limits["example.com/arduino"], "1");
    assert.equal(agent(objects).resources.limits["squat.ai/serial"], undefined);
    assert.deepEqual(agent(objects).args.slice(1, 5), ["--serial", "/dev/serial/by-id/usb-Arduino_Uno-if00", "--led", "rgb:9,10,11"]);
    assert.deepEqual(agent(render({ led: "traffic:2,3,4" }).objects).args.slice(3, 5), ["--led", "traffic:2,3,4"], "a traffic-light module");
  });

  it("fails at synth whatever LED wiring the agent would refuse at start, in the agent's words", () => {
    // Each of these once passed the chart's own regex and deployed a pod that exits 2.
    for (const led of ["single:0", "single:1", "single:99", "rgb:9,9,10", "rgb:9,10,A6", "rgb:9,10"]) {
      const refused = parseLedSpec(led);
      assert.equal(refused.ok, false, `the agent refuses ${led}`);
      assert.throws(() => render({ led }), (e: Error) => e.message === `FluxLight: led: ${(refused as { error: string }).error}`, led);
    }
    for (const led of ["single:2", "single:A5", "rgb:9,10,11", "rgb-anode:3,5,6"]) assert.doesNotThrow(() => render({ led }), led);
  });

  it("fails at synth on extra arguments the agent would refuse at start", () => {
    assert.throws(() => render({ extraArgs: ["--stuck-after", "5s"] }), /^Error: FluxLight: the agent would refuse to start \(exit 2\): --stuck-after: 5s must be longer than --progress-grace \(20s\)/);
    assert.throws(() => render({ extraArgs: ["--no-such-flag"] }), /the agent would refuse to start \(exit 2\): --no-such-flag: unknown flag/);
    assert.doesNotThrow(() => render({ extraArgs: ["--stuck-after", "15m"] }));
  });

  it("passes what it renders through the agent's own parser: the args and the environment", () => {
    const c = agent(render({ kinds: ["HelmRelease", "GitRepository"], led: "rgb-anode:9,10,11", logLevel: "debug" }).objects);
    const parsed = parseConfig(c.args, Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value])));
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
    assert.equal(parsed.command, "run");
    assert.deepEqual(parsed.config.kinds?.map((k) => k.kind), ["HelmRelease", "GitRepository"]);
    assert.deepEqual(parsed.config.led, { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: true });
    assert.equal(parsed.config.logLevel, "debug");
  });

  it("rejects unsafe or malformed values", () => {
    assert.throws(() => render({ deviceAccess: "privileged" }), /needs `node`/);
    assert.throws(() => render({ led: "rgb:1,2" }), /led/);
    assert.throws(() => render({ led: "traffic:2,3" }), /led/);
    assert.throws(() => render({ kinds: [] }), /kinds is empty/);
    assert.throws(() => render({ uid: 0 }), /non-root/);
    assert.throws(() => render({ deviceGroup: 0 }), /non-root gid/);
    assert.throws(() => render({ serialPath: "/etc/shadow" }), /under \/dev/);
    assert.throws(() => render({ httpPort: 80 }), /1024/);
    assert.throws(() => render({ deviceResource: "serial" }), /domain-qualified/);
  });
});

describe("privileged synth: the big hammer", () => {
  const base = render({ node: "shelf" }).objects;
  const { objects } = render({ node: "shelf", deviceAccess: "privileged" });

  it("mounts the host's character device and runs privileged", () => {
    const p = pod(objects);
    assert.deepEqual(p.volumes, [{ name: "serial", hostPath: { path: "/dev/fluxlight", type: "CharDevice" } }]);
    assert.deepEqual(agent(objects).volumeMounts, [{ name: "serial", mountPath: "/dev/fluxlight" }]);
    assert.equal(agent(objects).securityContext.privileged, true);
    assert.deepEqual(p.nodeSelector, { "kubernetes.io/hostname": "shelf" });
  });

  it("loosens nothing else", () => {
    const changes = diff(base, objects).sort();
    assert.deepEqual(changes, [
      "Deployment/fluxlight.spec.template.spec.containers.0.resources.limits.squat.ai/serial: removed",
      "Deployment/fluxlight.spec.template.spec.containers.0.resources.requests.squat.ai/serial: removed",
      "Deployment/fluxlight.spec.template.spec.containers.0.securityContext.allowPrivilegeEscalation: removed",
      "Deployment/fluxlight.spec.template.spec.containers.0.securityContext.privileged: false -> true",
      "Deployment/fluxlight.spec.template.spec.containers.0.volumeMounts: added",
      "Deployment/fluxlight.spec.template.spec.volumes: added",
      "Namespace/fluxlight.metadata.labels.pod-security.kubernetes.io/audit: \"restricted\" -> \"privileged\"",
      "Namespace/fluxlight.metadata.labels.pod-security.kubernetes.io/enforce: \"restricted\" -> \"privileged\"",
      "Namespace/fluxlight.metadata.labels.pod-security.kubernetes.io/warn: \"restricted\" -> \"privileged\"",
    ]);
  });
});

describe("namespaces: namespaced Roles instead of a ClusterRole", () => {
  const { objects } = render({ namespaces: ["team-a", "team-b"] });

  it("grants list/watch by a Role in each watched namespace, and nothing cluster-wide", () => {
    assert.equal(objects.filter((o) => o.kind === "ClusterRole" || o.kind === "ClusterRoleBinding").length, 0);
    // Besides them only the Flux controllers' Role (flux-system, its own name), whatever is watched.
    const named = (kind: string) => objects.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
    for (const kind of ["Role", "RoleBinding"]) assert.deepEqual(named(kind), ["flux-system/fluxlight-flux-controllers", "team-a/fluxlight-flux-reader", "team-b/fluxlight-flux-reader"]);
    const roles = objects.filter((o) => o.kind === "Role" && o.metadata.name === "fluxlight-flux-reader");
    assert.deepEqual(roles.map((r) => r.metadata.namespace).sort(), ["team-a", "team-b"]);
    for (const r of roles) assert.deepEqual(r.rules, ALL_RULES);
    const bindings = objects.filter((o) => o.kind === "RoleBinding" && o.metadata.name === "fluxlight-flux-reader");
    assert.deepEqual(bindings.map((b) => b.metadata.namespace).sort(), ["team-a", "team-b"]);
    for (const b of bindings) {
      assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "fluxlight-flux-reader" });
      assert.deepEqual(b.subjects, [{ kind: "ServiceAccount", name: "fluxlight", namespace: "fluxlight" }]);
    }
  });

  it("passes each namespace to the agent as --namespace", () => {
    const args: string[] = agent(objects).args;
    const given = args.flatMap((a, i) => (a === "--namespace" ? [args[i + 1]] : []));
    assert.deepEqual(given, ["team-a", "team-b"]);
  });

  it("refuses a namespace that is not a name", () => {
    assert.throws(() => render({ namespaces: ["Team A"] }), /namespaces: "Team A" is not a namespace name/);
    assert.throws(() => render({ namespaces: ["a", "a"] }), /duplicates/);
  });
});

describe("metricsFrom: a NetworkPolicy for the metrics port", () => {
  it("is absent by default", () => {
    assert.equal(render().objects.filter((o) => o.kind === "NetworkPolicy").length, 0);
  });

  it("admits the metrics port only from the named namespace and pods", () => {
    const { objects } = render({ metricsFrom: { namespaceSelector: { "kubernetes.io/metadata.name": "monitoring" }, podSelector: { "app.kubernetes.io/name": "prometheus" } }, httpPort: 9100 });
    const np = one(objects, "NetworkPolicy");
    assert.equal(np.metadata.namespace, "fluxlight");
    assert.deepEqual(np.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "fluxlight", "app.kubernetes.io/instance": "fluxlight" } });
    assert.deepEqual(np.spec.policyTypes, ["Ingress"]);
    assert.deepEqual(np.spec.ingress, [
      {
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
        ports: [{ port: 9100, protocol: "TCP" }],
      },
    ]);
  });

  it("refuses a selector that would match everything", () => {
    assert.throws(() => render({ metricsFrom: {} }), /needs a namespaceSelector, a podSelector or both/);
    assert.throws(() => render({ metricsFrom: { podSelector: {} } }), /podSelector is empty/);
  });
});
