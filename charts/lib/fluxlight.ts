// The FluxLight construct: everything the agent needs in a cluster, and nothing more.
import { readFileSync } from "node:fs";
import { Construct } from "constructs";
import * as k8s from "cdk8s-plus-32/lib/imports/k8s.js";
import { envName, parseConfig } from "../../agent/cli/config.ts";
import { ALL_FLUX_KINDS } from "./kinds.ts";
import { resolveProps, watchesOwnCluster, type FluxLightProps, type ResolvedProps } from "./props.ts";
import { grantReader, NAME } from "./rbac.ts";

/** Where the pod finds what the chart mounts for the agent: the lights file, the remote clusters' kubeconfig. */
export const CONFIG_DIR = "/etc/fluxlight";
export const KUBECONFIG_PATH = `${CONFIG_DIR}/kubeconfig`;
export const LIGHTS_FILE = "lights.yaml";
/** The lights file's digest on the pod template: a changed file rolls the pod (the agent reads it at start). */
export const LIGHTS_CHECKSUM = "checksum/lights";

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export class FluxLight extends Construct {
  /** The props after defaults, for callers that wire other objects to this one. */
  public readonly config: ResolvedProps;
  public readonly labels: Record<string, string>;

  constructor(scope: Construct, id: string, props: FluxLightProps = {}) {
    super(scope, id);
    const c = (this.config = resolveProps(props, packageVersion()));
    const labels = (this.labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME });
    const meta = { name: NAME, namespace: c.namespace, labels };

    if (c.createNamespace) {
      // "restricted" is what the device-plugin pod meets; a hostPath + privileged pod cannot.
      const level = c.deviceAccess === "privileged" ? "privileged" : "restricted";
      new k8s.KubeNamespace(this, "namespace", {
        metadata: {
          name: c.namespace,
          labels: {
            ...labels,
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/warn": level,
            "pod-security.kubernetes.io/audit": level,
          },
        },
      });
    }

    new k8s.KubeServiceAccount(this, "serviceaccount", { metadata: meta });

    if (c.lightsFile) new k8s.KubeConfigMap(this, "lights", { metadata: meta, data: { [LIGHTS_FILE]: c.lightsFile.text } });

    // Its own cluster's grant, when it watches its own cluster: a remote cluster's is that
    // cluster's business (FluxLightRemoteAccess renders it, to be applied there).
    if (watchesOwnCluster(c)) {
      grantReader(this, {
        namespace: c.namespace,
        labels,
        subjects: [{ kind: "ServiceAccount", name: NAME, namespace: c.namespace }],
        kinds: c.kinds,
        namespaces: c.namespaces,
        fluxNamespace: c.fluxNamespace,
      });
    }

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        // One process owns the serial port: never two pods, not even during a rollout.
        replicas: 1,
        strategy: { type: "Recreate" },
        revisionHistoryLimit: 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels, ...(c.lightsFile ? { annotations: { [LIGHTS_CHECKSUM]: c.lightsFile.sha256 } } : {}) }, spec: podSpec(c) },
      },
    });

    new k8s.KubeService(this, "service", {
      metadata: {
        ...meta,
        annotations: {
          "prometheus.io/scrape": "true",
          "prometheus.io/port": String(c.httpPort),
          "prometheus.io/path": "/metrics",
        },
      },
      spec: {
        type: "ClusterIP",
        selector: labels,
        ports: [{ name: "metrics", port: c.httpPort, targetPort: k8s.IntOrString.fromString("http"), protocol: "TCP" }],
      },
    });

    if (c.metricsFrom) {
      // Ingress to the agent only on its port and only from the named pods. The kubelet's probes
      // come from the node, which NetworkPolicy implementations admit (the pod's own node).
      const { namespaceSelector, podSelector } = c.metricsFrom;
      new k8s.KubeNetworkPolicy(this, "networkpolicy", {
        metadata: meta,
        spec: {
          podSelector: { matchLabels: labels },
          policyTypes: ["Ingress"],
          ingress: [
            {
              from: [{ ...(namespaceSelector ? { namespaceSelector: { matchLabels: { ...namespaceSelector } } } : {}), ...(podSelector ? { podSelector: { matchLabels: { ...podSelector } } } : {}) }],
              ports: [{ port: k8s.IntOrString.fromNumber(c.httpPort), protocol: "TCP" }],
            },
          ],
        },
      });
    }
  }
}

/**
 * The container's command line and environment, parsed by the agent's own parser: a setting the
 * agent would refuse at start (exit 2, a crash loop) fails the synth instead, in the agent's words.
 */
function agentAccepts(args: readonly string[], env: readonly k8s.EnvVar[]): void {
  const parsed = parseConfig(args, Object.fromEntries(env.map((e) => [e.name, e.value])));
  if (!parsed.ok) throw new Error(`FluxLight: the agent would refuse to start (exit 2): ${parsed.error}`);
}

function podSpec(c: ResolvedProps): k8s.PodSpec {
  const privileged = c.deviceAccess === "privileged";
  const quantities = (m: Record<string, string | undefined>): Record<string, k8s.Quantity> =>
    Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (v === undefined ? [] : [[k, k8s.Quantity.fromString(v)]])));
  // Extended resources must have requests equal to limits.
  const device = privileged ? {} : { [c.deviceResource]: "1" };
  const m = mounts(c);

  const args = agentArgs(c);
  const env: k8s.EnvVar[] = [
    // tsx writes a transpile cache under /tmp unless told not to; the root filesystem is read-only.
    { name: "TSX_DISABLE_CACHE", value: "1" },
    // V8's young generation capped at 1 MiB per semi-space: resident memory −6 to −30 MiB at 1,000
    // objects, −34 to −46 MiB at 10,000 (BENCHMARKS.md). It can only be set when node starts.
    { name: "NODE_OPTIONS", value: "--max-semi-space-size=1" },
  ];
  // The agent watches only what the role grants: every other kind would read as a 403 (unknown).
  // With lights, the file's kinds say it (the grant is made from them).
  if (!c.lightsFile && c.kinds.length !== ALL_FLUX_KINDS.length) env.push({ name: envName("kinds"), value: c.kinds.join(",") });
  agentAccepts(args, env);

  const container: k8s.Container = {
    name: "agent",
    image: c.image,
    imagePullPolicy: c.imagePullPolicy,
    args,
    env,
    ports: [{ name: "http", containerPort: c.httpPort, protocol: "TCP" }],
    livenessProbe: {
      httpGet: { path: "/healthz", port: k8s.IntOrString.fromString("http") },
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: { path: "/readyz", port: k8s.IntOrString.fromString("http") },
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
    },
    resources: {
      requests: quantities({ ...c.resources.requests, ...device }),
      limits: quantities({ ...c.resources.limits, ...device }),
    },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: c.uid,
      runAsGroup: c.uid,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
      // The API server rejects allowPrivilegeEscalation=false beside privileged=true.
      ...(privileged ? { privileged: true } : { privileged: false, allowPrivilegeEscalation: false }),
    },
    terminationMessagePolicy: "FallbackToLogsOnError",
    ...(m.volumeMounts.length ? { volumeMounts: m.volumeMounts } : {}),
  };

  return {
    serviceAccountName: NAME,
    // The agent reads its own cluster's API with this token; watching only remote clusters, it
    // reads none, and the pod gets no token at all.
    automountServiceAccountToken: watchesOwnCluster(c),
    enableServiceLinks: false,
    ...(c.node ? { nodeSelector: { "kubernetes.io/hostname": c.node } } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: c.uid,
      runAsGroup: c.uid,
      // The device node keeps its host owner and mode (root:dialout 0660); this group opens it.
      supplementalGroups: [c.deviceGroup],
      // The kubeconfig's file is the agent's group's, 0440: readable by the agent alone.
      ...(c.remoteKubeconfig ? { fsGroup: c.uid } : {}),
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [container],
    ...(m.volumes.length ? { volumes: m.volumes } : {}),
  };
}

/** The agent's command line: what the props say, in the agent's flags. */
function agentArgs(c: ResolvedProps): string[] {
  return [
    "run", "--serial", c.serialPath,
    // Several lights from the mounted file, or the one light of the flags.
    ...(c.lightsFile ? ["--config", `${CONFIG_DIR}/${LIGHTS_FILE}`] : ["--led", c.led]),
    "--http", `:${c.httpPort}`, "--log-format", "json", "--log-level", c.logLevel,
    ...(c.lightsFile ? [] : c.namespaces.flatMap((ns) => ["--namespace", ns])),
    ...(c.fluxNamespace === "flux-system" ? [] : ["--flux-namespace", c.fluxNamespace]),
    // `in-cluster` is the service account whatever the kubeconfig holds; the others are its contexts.
    ...(c.remoteKubeconfig ? ["--kubeconfig", KUBECONFIG_PATH] : []),
    ...c.contexts.flatMap((ctx) => ["--context", ctx]),
    ...c.extraArgs,
  ];
}

/**
 * What the pod mounts: the device's hostPath in privileged mode, and /etc/fluxlight read-only —
 * the lights file from the chart's ConfigMap, the remote clusters' kubeconfig from the user's own
 * Secret (one projected volume, so that everything the agent is given sits in one directory).
 */
function mounts(c: ResolvedProps): { volumes: k8s.Volume[]; volumeMounts: k8s.VolumeMount[] } {
  const volumes: k8s.Volume[] = [];
  const volumeMounts: k8s.VolumeMount[] = [];
  if (c.deviceAccess === "privileged") {
    volumes.push({ name: "serial", hostPath: { path: c.serialPath, type: "CharDevice" } });
    volumeMounts.push({ name: "serial", mountPath: c.serialPath });
  }
  const sources: k8s.VolumeProjection[] = [];
  if (c.lightsFile) sources.push({ configMap: { name: NAME, items: [{ key: LIGHTS_FILE, path: LIGHTS_FILE, mode: 0o444 }] } });
  if (c.remoteKubeconfig) {
    const { secretName, key } = c.remoteKubeconfig;
    // 0440 and the pod's fsGroup: the agent's uid reads it, nobody else in the pod could.
    sources.push({ secret: { name: secretName, items: [{ key, path: "kubeconfig", mode: 0o440 }] } });
  }
  if (sources.length) {
    volumes.push({ name: "config", projected: { sources } });
    volumeMounts.push({ name: "config", mountPath: CONFIG_DIR, readOnly: true });
  }
  return { volumes, volumeMounts };
}
