// Every synthesized object against the Kubernetes model schemas or the Flux CRD schemas.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { FluxLightProps } from "../../charts/lib/props.ts";
import { one, render, renderRemote, type Obj } from "./render.ts";
import { validate } from "./schemas.ts";

function assertValid(objects: Obj[]): void {
  const errors = objects.flatMap((o) => validate(o));
  assert.deepEqual(errors, []);
}

const SYNTHS: [string, FluxLightProps][] = [
  ["default (device-plugin)", {}],
  ["privileged", { deviceAccess: "privileged", node: "shelf" }],
  ["narrowed kinds, rgb, custom namespace", { kinds: ["HelmRelease"], led: "rgb-anode:3,5,6", namespace: "lights", createNamespace: false }],
  ["two clusters: a remote kubeconfig from a Secret", { contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "fluxlight-remote" } }],
  ["two lights over two clusters (a ConfigMap and the Secret, one projected volume)", { lights: [{ name: "home", led: "rgb:9,10,11", clusters: ["in-cluster"] }, { name: "staging", led: "traffic:2,3,4", namespaces: ["apps"], clusters: ["staging"] }], remoteKubeconfig: { secretName: "fluxlight-remote" } }],
  ["remote clusters only, privileged", { contexts: ["staging"], remoteKubeconfig: { secretName: "fluxlight-remote", key: "config" }, deviceAccess: "privileged", node: "shelf" }],
];

describe("synthesized YAML validates", () => {
  for (const [name, props] of SYNTHS) it(name, () => assertValid(render(props).objects));

  it("the grant for a remote cluster (FluxLightRemoteAccess), with a ServiceAccount or a user", () => {
    for (const props of [{}, { namespaces: ["apps"], kinds: ["Kustomization" as const] }, { user: "fluxlight" }]) assertValid(renderRemote(props));
  });

  it("with the Flux Bucket + Kustomization delivery", () => {
    const { objects } = render({}, true);
    assert.ok(objects.some((o) => o.kind === "Bucket") && objects.some((o) => o.kind === "Kustomization"));
    assertValid(objects);
  });
});

// The validators must be able to say no, or the tests above prove nothing.
describe("the schemas reject what the API server would", () => {
  const base = [...render({ deviceAccess: "privileged", node: "shelf", lights: [{ led: "single:13" }], contexts: ["in-cluster", "staging"], remoteKubeconfig: { secretName: "r" } }, true).objects, ...renderRemote({ namespaces: ["apps"] })];
  const mutate = (kind: string, f: (o: Obj) => void): string[] => {
    const o = structuredClone(one(base, kind));
    f(o);
    return validate(o);
  };
  const cases: [string, string, (o: Obj) => void][] = [
    ["a typo in the container securityContext", "Deployment", (o) => (o.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true)],
    ["a typo in the pod securityContext", "Deployment", (o) => (o.spec.template.spec.securityContext.supplementalGroup = [27])],
    ["a typo in the container", "Deployment", (o) => (o.spec.template.spec.containers[0].livenesProbe = {})],
    ["a typo in the pod spec", "Deployment", (o) => (o.spec.template.spec.serviceAcountName = "x")],
    ["a typo in a hostPath volume", "Deployment", (o) => (o.spec.template.spec.volumes[0].hostPath.typ = "CharDevice")],
    ["a typo in a projected Secret", "Deployment", (o) => (o.spec.template.spec.volumes[1].projected.sources[1].secret.item = [])],
    ["a string for a file mode", "Deployment", (o) => (o.spec.template.spec.volumes[1].projected.sources[1].secret.items[0].mode = "0440")],
    ["a typo in a volume mount", "Deployment", (o) => (o.spec.template.spec.containers[0].volumeMounts[1].readonly = true)],
    ["a typo in a Secret", "Secret", (o) => (o.typ = o.type)],
    ["a list where the ConfigMap's data holds text", "ConfigMap", (o) => (o.data["lights.yaml"] = [o.data["lights.yaml"]])],
    ["a typo in a projected ConfigMap", "Deployment", (o) => (o.spec.template.spec.volumes[1].projected.sources[0].configMap.nam = "fluxlight")],
    ["a string where an integer belongs", "Deployment", (o) => (o.spec.template.spec.securityContext.runAsUser = "65532")],
    ["a container without a name", "Deployment", (o) => delete o.spec.template.spec.containers[0].name],
    ["a typo in a ClusterRole rule", "ClusterRole", (o) => (o.rules[0].verb = ["get"])],
    ["a typo in object metadata", "Service", (o) => (o.metadata.label = {})],
    ["a wrong apiVersion", "ClusterRole", (o) => (o.apiVersion = "rbac.authorization.k8s.io/v1beta1")],
    ["an unknown Bucket field", "Bucket", (o) => (o.spec.bucket = "dist")],
    ["a Kustomization without sourceRef", "Kustomization", (o) => delete o.spec.sourceRef],
    ["a typo in Kustomization metadata", "Kustomization", (o) => (o.metadata.namespce = "x")],
  ];
  for (const [name, kind, f] of cases) it(name, () => assert.notDeepEqual(mutate(kind, f), []));
});
