// The FluxLight construct: everything the agent needs in a cluster, and nothing more.
import { readFileSync } from "node:fs";
import { Construct } from "constructs";
import * as k8s from "cdk8s-plus-32/lib/imports/k8s.js";
import { envName, parseConfig } from "../../agent/cli/config.ts";
import { ALL_FLUX_KINDS, rbacRules } from "./kinds.ts";
import { resolveProps, type FluxLightProps, type ResolvedProps } from "./props.ts";
import { CONTROLLER_RULES } from "../../agent/source/controllers.ts";

const NAME = "fluxlight";

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

    // Read-only, named kinds only. Cluster-wide by default, because Flux objects live in any
    // namespace; with `namespaces`, a Role in each of them and no cluster-wide grant at all.
    // Cluster-scoped name: carries the namespace when it is not the default, so two installs never collide.
    const roleName = c.namespace === NAME ? `${NAME}-flux-reader` : `${NAME}-${c.namespace}-flux-reader`;
    const subjects = [{ kind: "ServiceAccount", name: NAME, namespace: c.namespace }];
    if (c.namespaces.length === 0) {
      new k8s.KubeClusterRole(this, "clusterrole", {
        metadata: { name: roleName, labels },
        rules: rbacRules(c.kinds),
      });
      new k8s.KubeClusterRoleBinding(this, "clusterrolebinding", {
        metadata: { name: roleName, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
        subjects,
      });
    } else {
      for (const ns of c.namespaces) {
        new k8s.KubeRole(this, `role-${ns}`, { metadata: { name: roleName, namespace: ns, labels }, rules: rbacRules(c.kinds) });
        new k8s.KubeRoleBinding(this, `rolebinding-${ns}`, {
          metadata: { name: roleName, namespace: ns, labels },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
          subjects,
        });
      }
    }

    // Whether the Flux controllers run: their Deployments and leader-election Leases, in Flux's
    // namespace only, list and watch only (agent/source/controllers.ts, which the 403 fix quotes).
    const controllersMeta = { name: c.namespace === NAME ? `${NAME}-flux-controllers` : `${NAME}-${c.namespace}-flux-controllers`, namespace: c.fluxNamespace, labels };
    new k8s.KubeRole(this, "controllers-role", { metadata: controllersMeta, rules: CONTROLLER_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) });
    new k8s.KubeRoleBinding(this, "controllers-rolebinding", {
      metadata: controllersMeta,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: controllersMeta.name },
      subjects,
    });

    new k8s.KubeDeployment(this, "deployment", {
      metadata: meta,
      spec: {
        // One process owns the serial port: never two pods, not even during a rollout.
        replicas: 1,
        strategy: { type: "Recreate" },
        revisionHistoryLimit: 3,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: podSpec(c) },
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

  const args = ["run", "--serial", c.serialPath, "--led", c.led, "--http", `:${c.httpPort}`, "--log-format", "json", "--log-level", c.logLevel, ...c.namespaces.flatMap((ns) => ["--namespace", ns]), ...(c.fluxNamespace === "flux-system" ? [] : ["--flux-namespace", c.fluxNamespace]), ...c.extraArgs];
  const env: k8s.EnvVar[] = [
    // tsx writes a transpile cache under /tmp unless told not to; the root filesystem is read-only.
    { name: "TSX_DISABLE_CACHE", value: "1" },
    // V8's young generation capped at 1 MiB per semi-space: resident memory −6 to −30 MiB at 1,000
    // objects, −34 to −46 MiB at 10,000 (BENCHMARKS.md). It can only be set when node starts.
    { name: "NODE_OPTIONS", value: "--max-semi-space-size=1" },
  ];
  // The agent watches only what the role grants: every other kind would read as a 403 (unknown).
  if (c.kinds.length !== ALL_FLUX_KINDS.length) env.push({ name: envName("kinds"), value: c.kinds.join(",") });
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
    ...(privileged ? { volumeMounts: [{ name: "serial", mountPath: c.serialPath }] } : {}),
  };

  return {
    serviceAccountName: NAME,
    // The agent reads the API with its token; nothing else in the pod needs one.
    automountServiceAccountToken: true,
    enableServiceLinks: false,
    ...(c.node ? { nodeSelector: { "kubernetes.io/hostname": c.node } } : {}),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: c.uid,
      runAsGroup: c.uid,
      // The device node keeps its host owner and mode (root:dialout 0660); this group opens it.
      supplementalGroups: [c.deviceGroup],
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [container],
    ...(privileged ? { volumes: [{ name: "serial", hostPath: { path: c.serialPath, type: "CharDevice" } }] } : {}),
  };
}
