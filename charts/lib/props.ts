// FluxLight's props, their defaults, and the checks that keep a bad value out of the cluster.
// What the agent itself takes (the LED wiring, the kinds, the log level) is checked by the
// agent's own parsers, so that a chart never deploys a pod that exits 2 at start.
import { isNamespaceName, type LogLevel } from "../../agent/cli/config.ts";
import { DEFAULT_LED_SPEC, parseLedSpec } from "../../agent/light/led-spec.ts";
import { ALL_FLUX_KINDS, FLUX_KINDS, type FluxKindName } from "./kinds.ts";
import { AGENT_RESOURCES } from "./sizing.ts";
import type { LightSettings } from "../../agent/lights.ts";
import { agentLights, IN_CLUSTER, lightsFileText, lightsGrant, sha256, watchedContexts, type LightProps } from "./lights.ts";

export { IN_CLUSTER, type LightProps };

/**
 * How the pod reaches the serial device.
 * - `device-plugin`: request a resource that squat/generic-device-plugin advertises; the
 *   kubelet hands the device to this container only. No privilege.
 * - `privileged`: THE BIG HAMMER. A hostPath CharDevice and a privileged container, for
 *   clusters without a device plugin. A privileged container can reach every device on the node.
 */
export type DeviceAccess = "device-plugin" | "privileged";

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { memory: string; cpu?: string };
}

export interface FluxLightProps {
  /** Default `fluxlight`. */
  readonly namespace?: string;
  /** Emit the Namespace object (with Pod Security labels). Default true. */
  readonly createNamespace?: boolean;
  /** Default `fluxlight:<package version>`; the Nix build injects `nix:0/nix/store/...`. */
  readonly image?: string;
  readonly imagePullPolicy?: "Always" | "IfNotPresent" | "Never";
  /** `kubernetes.io/hostname` of the node with the board. Required in `privileged` mode. */
  readonly node?: string;
  /** Stable device path on that node. Default `/dev/fluxlight` (the NixOS module's symlink). */
  readonly serialPath?: string;
  /** The agent's `--led`, as the agent parses it (agent/light/led-spec.ts). Default `single:13`. Not with `lights`. */
  readonly led?: string;
  /** Flux kinds to watch (and nothing else is granted). Default: all seven. Not with `lights` (each light has its own). */
  readonly kinds?: readonly FluxKindName[];
  /**
   * Namespaces whose Flux objects the agent watches, each passed as `--namespace`; the grant is
   * then a Role in each of them instead of a ClusterRole. Default: the whole cluster. Not with `lights`.
   */
  readonly namespaces?: readonly string[];
  /**
   * Several lights, each an LED and the objects it stands for: the lights file's `lights:`
   * (README, "Several lights"), written into a ConfigMap the agent reads with `--config`. Replaces
   * `led`, `namespaces` and `kinds`; the grant is the union of the lights' scopes.
   */
  readonly lights?: readonly LightProps[];
  /**
   * Admit traffic to the metrics port only from pods these selectors pick (a NetworkPolicy);
   * both given: pods matching `podSelector` in namespaces matching `namespaceSelector`.
   * Default: no NetworkPolicy (any pod may scrape).
   */
  readonly metricsFrom?: MetricsFrom;
  /** Port of `/healthz`, `/readyz`, `/metrics`. Default 9090. */
  readonly httpPort?: number;
  readonly logLevel?: LogLevel;
  readonly resources?: Resources;
  /** Default `device-plugin`. */
  readonly deviceAccess?: DeviceAccess;
  /** Extended resource the device plugin advertises. Default `squat.ai/serial`. */
  readonly deviceResource?: string;
  /** Group owning the device node. Default 27 (NixOS's `dialout`). */
  readonly deviceGroup?: number;
  /** Fixed non-root uid/gid. Default 65532. */
  readonly uid?: number;
  /** Further agent flags, e.g. `["--stuck-after", "15m"]`. */
  readonly extraArgs?: readonly string[];
  /** Where Flux runs: a Role there lets the agent see whether its controllers run. Default `flux-system`. */
  readonly fluxNamespace?: string;
  /**
   * The clusters to watch, each passed as `--context`: `in-cluster` is the pod's own cluster
   * (its service account), any other name a context of `remoteKubeconfig`. One light stands for
   * them all; with `lights`, each light for those its `clusters` name (which are watched too).
   * Default: the pod's own cluster only.
   */
  readonly contexts?: readonly string[];
  /**
   * An EXISTING Secret in `namespace` that holds a kubeconfig with the remote contexts (made by
   * SOPS, sealed-secrets, …: the chart never holds credentials). Mounted read-only at
   * `/etc/fluxlight/kubeconfig` and passed as `--kubeconfig`. Needed when `contexts` names a
   * context other than `in-cluster`. The kubeconfig must be self-contained (`*-data` fields and
   * a token or client certificate: no other file is mounted, and the image has no exec plugins).
   */
  readonly remoteKubeconfig?: SecretKeyRef;
}

export interface SecretKeyRef {
  /** The Secret's name, in the chart's `namespace`. */
  readonly secretName: string;
  /** The key holding the kubeconfig. Default `kubeconfig`. */
  readonly key?: string;
}

export interface MetricsFrom {
  /** matchLabels of the namespaces allowed, e.g. `{ "kubernetes.io/metadata.name": "monitoring" }`. */
  readonly namespaceSelector?: Readonly<Record<string, string>>;
  /** matchLabels of the pods allowed, e.g. `{ "app.kubernetes.io/name": "prometheus" }`. */
  readonly podSelector?: Readonly<Record<string, string>>;
}

export type ResolvedProps = Required<Omit<FluxLightProps, "node" | "metricsFrom" | "remoteKubeconfig" | "lights">> & {
  node?: string;
  metricsFrom?: MetricsFrom;
  remoteKubeconfig?: Required<SecretKeyRef>;
  /** With `lights`: the file the ConfigMap holds, its digest, and the lights as the agent reads them. */
  lightsFile?: { text: string; sha256: string; lights: LightSettings[] };
  /** The contexts the agent watches: `contexts`, then those the lights name (none: the pod's own cluster). */
  watched: string[];
};

/** Whether the agent watches the cluster it runs in (and so needs a grant and a token there). */
export const watchesOwnCluster = (r: Pick<ResolvedProps, "watched">): boolean => r.watched.length === 0 || r.watched.includes(IN_CLUSTER);

export const DEFAULT_IMAGE_REPOSITORY = "fluxlight";

export function resolveProps(p: FluxLightProps, version: string): ResolvedProps {
  const lightsFile = p.lights && lightsOf(p);
  const grant = lightsFile && lightsGrant(lightsFile.lights);
  const r: ResolvedProps = {
    namespace: p.namespace ?? "fluxlight",
    createNamespace: p.createNamespace ?? true,
    image: p.image ?? `${DEFAULT_IMAGE_REPOSITORY}:${version}`,
    imagePullPolicy: p.imagePullPolicy ?? "IfNotPresent",
    node: p.node,
    serialPath: p.serialPath ?? "/dev/fluxlight",
    led: p.led ?? DEFAULT_LED_SPEC,
    kinds: [...(grant?.kinds ?? p.kinds ?? ALL_FLUX_KINDS)],
    // With lights, what is granted: the agent is told nothing (the lights file says it).
    namespaces: [...(grant?.namespaces ?? p.namespaces ?? [])],
    metricsFrom: p.metricsFrom,
    httpPort: p.httpPort ?? 9090,
    logLevel: p.logLevel ?? "info",
    resources: p.resources ?? structuredClone(AGENT_RESOURCES) as Resources,
    deviceAccess: p.deviceAccess ?? "device-plugin",
    deviceResource: p.deviceResource ?? "squat.ai/serial",
    deviceGroup: p.deviceGroup ?? 27,
    uid: p.uid ?? 65532,
    extraArgs: [...(p.extraArgs ?? [])],
    fluxNamespace: p.fluxNamespace ?? "flux-system",
    contexts: [...(p.contexts ?? [])],
    remoteKubeconfig: p.remoteKubeconfig && { secretName: p.remoteKubeconfig.secretName, key: p.remoteKubeconfig.key ?? "kubeconfig" },
    ...(lightsFile ? { lightsFile } : {}),
    watched: watchedContexts(lightsFile?.lights ?? [], p.contexts ?? [], p.remoteKubeconfig !== undefined),
  };
  check(r);
  return r;
}

/** `lights`, refused beside the single-light props, written as the file and read back by the agent's parser. */
function lightsOf(p: FluxLightProps): NonNullable<ResolvedProps["lightsFile"]> {
  const mixed = (["led", "namespaces", "kinds"] as const).filter((k) => p[k] !== undefined);
  if (mixed.length) throw new Error(`FluxLight: lights cannot be combined with ${mixed.join(", ")}: each light has its own led, namespaces and kinds; move ${mixed.length > 1 ? "them" : "it"} into the lights`);
  const text = lightsFileText(p.lights!);
  return { text, sha256: sha256(text), lights: agentLights(text) };
}

// A qualified extended-resource name, as the API server checks it: domain/name, not kubernetes.io.
const EXTENDED_RESOURCE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function check(r: ResolvedProps): void {
  const fail = (m: string): never => {
    throw new Error(`FluxLight: ${m}`);
  };
  if (!isNamespaceName(r.namespace)) fail(`namespace ${JSON.stringify(r.namespace)} is not a DNS label`);
  if (!isNamespaceName(r.fluxNamespace)) fail(`fluxNamespace ${JSON.stringify(r.fluxNamespace)} is not a DNS label`);
  if (!r.image || /\s/.test(r.image)) fail(`image ${JSON.stringify(r.image)} is empty or has spaces`);
  if (!r.serialPath.startsWith("/dev/") || r.serialPath.includes("..")) {
    fail(`serialPath ${JSON.stringify(r.serialPath)} must be a path under /dev/`);
  }
  const led = parseLedSpec(r.led);
  if (!led.ok) fail(`led: ${led.error}`);
  if (r.kinds.length === 0) fail("kinds is empty: the agent would watch nothing");
  for (const k of r.kinds) if (!Object.hasOwn(FLUX_KINDS, k)) fail(`kind ${JSON.stringify(k)} is not a Flux kind the agent knows: ${ALL_FLUX_KINDS.join(", ")}`);
  if (new Set(r.kinds).size !== r.kinds.length) fail("kinds has duplicates");
  // The agent's own rule for --namespace, so a name passes here exactly when the agent takes it.
  for (const ns of r.namespaces) if (!isNamespaceName(ns)) fail(`namespaces: ${JSON.stringify(ns)} is not a namespace name`);
  if (new Set(r.namespaces).size !== r.namespaces.length) fail("namespaces has duplicates");
  if (r.metricsFrom) {
    const { namespaceSelector, podSelector } = r.metricsFrom;
    if (!namespaceSelector && !podSelector) fail("metricsFrom needs a namespaceSelector, a podSelector or both");
    // An empty selector would match everything: the policy would admit every pod, or every namespace.
    for (const [name, sel] of [["namespaceSelector", namespaceSelector], ["podSelector", podSelector]] as const) {
      if (sel && Object.keys(sel).length === 0) fail(`metricsFrom.${name} is empty: it would match everything`);
    }
  }
  if (!Number.isInteger(r.httpPort) || r.httpPort < 1024 || r.httpPort > 65535) {
    fail(`httpPort ${r.httpPort} must be 1024-65535 (no capability to bind lower)`);
  }
  if (!Number.isInteger(r.uid) || r.uid < 1) fail(`uid ${r.uid} must be a non-root id`);
  if (!Number.isInteger(r.deviceGroup) || r.deviceGroup < 1) fail(`deviceGroup ${r.deviceGroup} must be a non-root gid`);
  if (r.deviceAccess !== "device-plugin" && r.deviceAccess !== "privileged") fail(`deviceAccess ${String(r.deviceAccess)} is unknown`);
  if (r.deviceAccess === "device-plugin" && !EXTENDED_RESOURCE.test(r.deviceResource)) {
    fail(`deviceResource ${JSON.stringify(r.deviceResource)} is not a domain-qualified resource name`);
  }
  if (r.deviceAccess === "privileged" && !r.node) {
    fail("privileged mode needs `node`: the hostPath device exists only on the node with the board");
  }
  if (r.node !== undefined && !DNS_SUBDOMAIN.test(r.node)) fail(`node ${JSON.stringify(r.node)} is not a node name`);
  checkClusters(r, fail);
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
// A Secret's data key, as the API server checks it.
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;
/** The agent's own flags for what the chart mounts and passes; set through props, not extraArgs. */
const MOUNTED_FLAGS = ["--kubeconfig", "--context", "--config"];

function checkClusters(r: ResolvedProps, fail: (m: string) => never): void {
  for (const c of r.contexts) if (typeof c !== "string" || c.trim() === "" || c.includes(",")) fail(`contexts: ${JSON.stringify(c)} is not a context name`);
  if (new Set(r.contexts).size !== r.contexts.length) fail("contexts has duplicates");
  const remote = r.watched.filter((c) => c !== IN_CLUSTER);
  const ref = r.remoteKubeconfig;
  if (remote.length && !ref) {
    fail(`contexts: ${remote.join(", ")} ${remote.length > 1 ? "are" : "is"} not ${IN_CLUSTER} and needs remoteKubeconfig: an existing Secret holding a kubeconfig with ${remote.length > 1 ? "those contexts" : "that context"}`);
  }
  if (ref && !remote.length) fail(`remoteKubeconfig is given but contexts names no remote cluster: add its contexts, e.g. contexts: ["${IN_CLUSTER}", "staging"], or drop it`);
  if (ref && !DNS_SUBDOMAIN.test(ref.secretName)) fail(`remoteKubeconfig.secretName ${JSON.stringify(ref.secretName)} is not a Secret name`);
  if (ref && !SECRET_KEY.test(ref.key)) fail(`remoteKubeconfig.key ${JSON.stringify(ref.key)} is not a Secret key (letters, digits, '-', '_', '.')`);
  for (const a of r.extraArgs) {
    const flag = MOUNTED_FLAGS.find((f) => a === f || a.startsWith(`${f}=`));
    if (flag) fail(`extraArgs: ${flag} is set by the chart: use the ${{ "--context": "contexts", "--kubeconfig": "remoteKubeconfig", "--config": "lights" }[flag]} prop`);
  }
}
