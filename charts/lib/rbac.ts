// What the agent may read in one cluster, as RBAC: list and watch on the Flux kinds it watches
// (cluster-wide, or a Role in each watched namespace), and in Flux's namespace list and watch on
// the controllers' Deployments and Leases. One function, so that the grant FluxLight makes in its
// own cluster and the one FluxLightRemoteAccess renders for a remote cluster cannot drift apart.
import { Construct } from "constructs";
import * as k8s from "cdk8s-plus-32/lib/imports/k8s.js";
import { CONTROLLER_RULES } from "../../agent/source/controllers.ts";
import { rbacRules, type FluxKindName } from "./kinds.ts";

export const NAME = "fluxlight";

export interface ReaderGrant {
  /** The agent's namespace: it names the cluster-scoped objects when it is not the default. */
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Who gets the grant: the agent's ServiceAccount, or the remote kubeconfig's user. */
  readonly subjects: k8s.Subject[];
  readonly kinds: readonly FluxKindName[];
  /** Empty: the whole cluster (a ClusterRole); else a Role in each. */
  readonly namespaces: readonly string[];
  readonly fluxNamespace: string;
}

/** `fluxlight-<suffix>`, with the namespace in it when not the default, so two installs never collide. */
export function grantName(namespace: string, suffix: string): string {
  return namespace === NAME ? `${NAME}-${suffix}` : `${NAME}-${namespace}-${suffix}`;
}

/** The grant as objects under `scope`: ClusterRole + binding (or Roles + bindings), and the controllers' Role + binding. */
export function grantReader(scope: Construct, g: ReaderGrant): void {
  const { labels, subjects } = g;
  const roleName = grantName(g.namespace, "flux-reader");
  const rules = rbacRules(g.kinds);
  // Read-only, named kinds only. Cluster-wide by default, because Flux objects live in any
  // namespace; with namespaces, a Role in each of them and no cluster-wide grant at all.
  if (g.namespaces.length === 0) {
    new k8s.KubeClusterRole(scope, "clusterrole", { metadata: { name: roleName, labels }, rules });
    new k8s.KubeClusterRoleBinding(scope, "clusterrolebinding", {
      metadata: { name: roleName, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: roleName },
      subjects,
    });
  } else {
    for (const ns of g.namespaces) {
      new k8s.KubeRole(scope, `role-${ns}`, { metadata: { name: roleName, namespace: ns, labels }, rules: rbacRules(g.kinds) });
      new k8s.KubeRoleBinding(scope, `rolebinding-${ns}`, {
        metadata: { name: roleName, namespace: ns, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
        subjects,
      });
    }
  }

  // Whether the Flux controllers run: their Deployments and leader-election Leases, in Flux's
  // namespace only, list and watch only (agent/source/controllers.ts, which the 403 fix quotes).
  const controllersMeta = { name: grantName(g.namespace, "flux-controllers"), namespace: g.fluxNamespace, labels };
  new k8s.KubeRole(scope, "controllers-role", { metadata: controllersMeta, rules: CONTROLLER_RULES.map((r) => ({ ...r, apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })) });
  new k8s.KubeRoleBinding(scope, "controllers-rolebinding", {
    metadata: controllersMeta,
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: controllersMeta.name },
    subjects,
  });
}
