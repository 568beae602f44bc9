// Several clusters from one pod: the chart's `contexts` and `remoteKubeconfig` (an existing
// Secret, mounted read-only), what the agent is told, what is granted where, and the grant
// FluxLightRemoteAccess renders for the remote cluster.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseConfig } from "../../agent/cli/config.ts";
import { diff, one, render, renderRemote, type Obj } from "./render.ts";

const pod = (objs: Obj[]): Obj => one(objs, "Deployment").spec.template.spec;
const agent = (objs: Obj[]): Obj => pod(objs).containers[0];
const kinds = (objs: Obj[]) => objs.map((o) => `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`).sort();
const REMOTE = { contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "fluxlight-remote" } } as const;

describe("contexts + remoteKubeconfig: the home cluster and a remote one", () => {
  const base = render().objects;
  const { objects } = render(REMOTE);

  it("tells the agent the mounted kubeconfig and each context, and the agent's parser takes them", () => {
    const c = agent(objects);
    assert.deepEqual(c.args.slice(-6), ["--kubeconfig", "/etc/fluxlight/kubeconfig", "--context", "in-cluster", "--context", "staging"]);
    const parsed = parseConfig(c.args, Object.fromEntries(c.env.map((e: Obj) => [e.name, e.value])));
    assert.ok(parsed.ok, parsed.ok ? "" : parsed.error);
    assert.equal(parsed.config.kubeconfig, "/etc/fluxlight/kubeconfig");
    assert.deepEqual(parsed.config.contexts, ["in-cluster", "staging"]);
  });

  it("mounts the user's Secret read-only, readable by the agent's group alone, and holds no credential itself", () => {
    assert.deepEqual(pod(objects).volumes, [{ name: "config", projected: { sources: [{ secret: { name: "fluxlight-remote", items: [{ key: "kubeconfig", path: "kubeconfig", mode: 0o440 }] } }] } }]);
    assert.deepEqual(agent(objects).volumeMounts, [{ name: "config", mountPath: "/etc/fluxlight", readOnly: true }]);
    assert.equal(pod(objects).securityContext.fsGroup, 65532);
    assert.equal(objects.filter((o) => o.kind === "Secret").length, 0, "the chart makes no Secret");
  });

  it("changes nothing else: same grant in the home cluster, same lockdown", () => {
    assert.deepEqual(diff(base, objects).sort(), [
      "Deployment/fluxlight.spec.template.spec.containers.0.args.11: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.args.12: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.args.13: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.args.14: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.args.15: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.args.16: added",
      "Deployment/fluxlight.spec.template.spec.containers.0.volumeMounts: added",
      "Deployment/fluxlight.spec.template.spec.securityContext.fsGroup: added",
      "Deployment/fluxlight.spec.template.spec.volumes: added",
    ]);
  });

  it("takes another key of the Secret", () => {
    const p = pod(render({ ...REMOTE, remoteKubeconfig: { secretName: "homelab-clusters", key: "staging.yaml" } }).objects);
    assert.deepEqual(p.volumes[0].projected.sources[0].secret, { name: "homelab-clusters", items: [{ key: "staging.yaml", path: "kubeconfig", mode: 0o440 }] });
  });
});

describe("only remote clusters: nothing to read at home", () => {
  const { objects } = render({ contexts: ["staging", "prod"], remoteKubeconfig: { secretName: "clusters" } });

  it("grants nothing in the pod's own cluster and mounts no token", () => {
    assert.deepEqual(kinds(objects), ["Deployment/fluxlight/fluxlight", "Namespace/fluxlight", "Service/fluxlight/fluxlight", "ServiceAccount/fluxlight/fluxlight"]);
    assert.equal(pod(objects).automountServiceAccountToken, false);
    assert.deepEqual(agent(objects).args.slice(-6), ["--kubeconfig", "/etc/fluxlight/kubeconfig", "--context", "staging", "--context", "prod"]);
  });

  it("in-cluster alone needs no Secret: the pod's own cluster, as by default", () => {
    const own = render({ contexts: ["in-cluster"] }).objects;
    assert.deepEqual(agent(own).args.slice(-2), ["--context", "in-cluster"]);
    assert.equal(pod(own).volumes, undefined);
    assert.equal(pod(own).automountServiceAccountToken, true);
    assert.equal(own.filter((o) => o.kind === "ClusterRole").length, 1);
  });
});

describe("what would not work fails the synth, naming the prop", () => {
  const cases: [string, Parameters<typeof render>[0], RegExp][] = [
    ["a remote context without a kubeconfig", { contexts: ["in-cluster", "staging"] }, /^FluxLight: contexts: staging is not in-cluster and needs remoteKubeconfig: an existing Secret/],
    ["a kubeconfig no context uses", { contexts: ["in-cluster"], remoteKubeconfig: { secretName: "x" } }, /^FluxLight: remoteKubeconfig is given but contexts names no remote cluster/],
    ["a kubeconfig without contexts", { remoteKubeconfig: { secretName: "x" } }, /contexts names no remote cluster/],
    ["a Secret name that is not one", { ...REMOTE, remoteKubeconfig: { secretName: "My Secret" } }, /^FluxLight: remoteKubeconfig.secretName "My Secret" is not a Secret name$/],
    ["a Secret key that is not one", { ...REMOTE, remoteKubeconfig: { secretName: "x", key: "a/b" } }, /^FluxLight: remoteKubeconfig.key "a\/b" is not a Secret key/],
    ["a context twice", { contexts: ["staging", "staging"], remoteKubeconfig: { secretName: "x" } }, /contexts has duplicates/],
    ["an empty context", { contexts: [""] }, /contexts: "" is not a context name/],
    ["--context in extraArgs", { extraArgs: ["--context", "staging"] }, /^FluxLight: extraArgs: --context is set by the chart: use the contexts prop$/],
    ["--kubeconfig in extraArgs", { extraArgs: ["--kubeconfig=/x"] }, /use the remoteKubeconfig prop/],
  ];
  for (const [name, props, error] of cases) it(name, () => assert.throws(() => render(props), (e: Error) => error.test(e.message)));
});

describe("FluxLightRemoteAccess: the grant to apply in the remote cluster", () => {
  const home = render({ kinds: ["Kustomization", "HelmRelease"], namespaces: ["apps", "infra"] }).objects;
  const remote = renderRemote({ kinds: ["Kustomization", "HelmRelease"], namespaces: ["apps", "infra"] });

  it("is the grant the chart makes at home, for a ServiceAccount there and its long-lived token", () => {
    assert.deepEqual(kinds(remote), [
      "Namespace/fluxlight",
      "Role/apps/fluxlight-flux-reader",
      "Role/flux-system/fluxlight-flux-controllers",
      "Role/infra/fluxlight-flux-reader",
      "RoleBinding/apps/fluxlight-flux-reader",
      "RoleBinding/flux-system/fluxlight-flux-controllers",
      "RoleBinding/infra/fluxlight-flux-reader",
      "Secret/fluxlight/fluxlight-token",
      "ServiceAccount/fluxlight/fluxlight",
    ]);
    const rbac = (objs: Obj[]) => objs.filter((o) => /Role/.test(o.kind)).map((o) => ({ kind: o.kind, metadata: o.metadata, rules: o.rules, roleRef: o.roleRef, subjects: o.subjects }));
    assert.deepEqual(rbac(remote), rbac(home), "the same rules, names and subject");
    const token = one(remote, "Secret");
    assert.equal(token.type, "kubernetes.io/service-account-token");
    assert.deepEqual(token.metadata.annotations, { "kubernetes.io/service-account.name": "fluxlight" });
    assert.equal(token.data, undefined, "the remote cluster fills it in; the chart holds nothing");
    assert.equal(one(remote, "ServiceAccount").automountServiceAccountToken, false, "nothing runs as it there");
  });

  it("by default: list and watch on the seven kinds cluster-wide, and the controllers in flux-system", () => {
    const objs = renderRemote();
    assert.deepEqual(one(objs, "ClusterRole").rules, one(render().objects, "ClusterRole").rules);
    assert.equal(one(objs, "Role").metadata.namespace, "flux-system");
  });

  it("binds to the kubeconfig's own user instead, making no account and no token", () => {
    const objs = renderRemote({ user: "fluxlight@homelab" });
    assert.deepEqual(kinds(objs), ["ClusterRole/fluxlight-flux-reader", "ClusterRoleBinding/fluxlight-flux-reader", "Role/flux-system/fluxlight-flux-controllers", "RoleBinding/flux-system/fluxlight-flux-controllers"]);
    for (const b of objs.filter((o) => o.kind.endsWith("Binding"))) assert.deepEqual(b.subjects, [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "fluxlight@homelab" }]);
  });

  it("refuses what the agent could not use", () => {
    assert.throws(() => renderRemote({ kinds: [] }), /^Error: FluxLightRemoteAccess: kinds is empty/);
    assert.throws(() => renderRemote({ namespaces: ["Apps"] }), /namespaces: "Apps" is not a namespace name/);
    assert.throws(() => renderRemote({ user: " " }), /user is empty/);
  });
});
