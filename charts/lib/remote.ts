// For a REMOTE cluster the agent watches from another one (FluxLight's `contexts`): the grant it
// needs there, to be applied in that cluster, not the one the pod runs in. The same rules FluxLight
// grants in its own cluster (rbac.ts), bound to a ServiceAccount made here (with a long-lived token
// Secret to build the kubeconfig from) or to a user the remote kubeconfig already names. No pod,
// no credentials leave the chart: the kubeconfig is built and sealed by the homelab (README).
import { Construct } from "constructs";
import * as k8s from "cdk8s-plus-32/lib/imports/k8s.js";
import { isNamespaceName } from "../../agent/cli/config.ts";
import { ALL_FLUX_KINDS, FLUX_KINDS, type FluxKindName } from "./kinds.ts";
import { agentLights, lightsFileText, lightsGrant, type LightProps } from "./lights.ts";
import { grantName, grantReader, NAME } from "./rbac.ts";

export interface FluxLightRemoteAccessProps {
  /** Where the ServiceAccount and its token Secret go in the remote cluster. Default `fluxlight`. */
  readonly namespace?: string;
  /** Emit that Namespace. Default true (false with `user`: nothing is namespaced then but the Roles). */
  readonly createNamespace?: boolean;
  /** The kinds the agent watches there: as FluxLight's `kinds`. Default all seven. */
  readonly kinds?: readonly FluxKindName[];
  /** The namespaces it watches there: a Role in each instead of a ClusterRole. Default the whole cluster. */
  readonly namespaces?: readonly string[];
  /**
   * The home chart's `lights`: the grant is then what the agent lists for them (the union of their
   * scopes, in every cluster it watches). Not with `kinds` or `namespaces`.
   */
  readonly lights?: readonly LightProps[];
  /** Where Flux runs there. Default `flux-system`. */
  readonly fluxNamespace?: string;
  /**
   * Bind the grant to this user (a client certificate's CN, an OIDC user) instead of making a
   * ServiceAccount and its token: for a kubeconfig that already has its own identity.
   */
  readonly user?: string;
}

export class FluxLightRemoteAccess extends Construct {
  /** The Secret whose `token` (filled in by the remote cluster) goes into the kubeconfig; absent with `user`. */
  public readonly tokenSecretName?: string;

  constructor(scope: Construct, id: string, props: FluxLightRemoteAccessProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? NAME;
    const fluxNamespace = props.fluxNamespace ?? "flux-system";
    if (props.lights && (props.kinds || props.namespaces)) throw new Error("FluxLightRemoteAccess: lights cannot be combined with kinds or namespaces: the grant is made from the lights");
    const grant = props.lights && lightsGrant(agentLights(lightsFileText(props.lights), "FluxLightRemoteAccess"));
    const kinds = [...(grant?.kinds ?? props.kinds ?? ALL_FLUX_KINDS)];
    const namespaces = [...(grant?.namespaces ?? props.namespaces ?? [])];
    check({ namespace, fluxNamespace, kinds, namespaces, user: props.user });
    const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/instance": NAME };
    const meta = { name: NAME, namespace, labels };
    const account = props.user === undefined;

    if (props.createNamespace ?? account) new k8s.KubeNamespace(this, "namespace", { metadata: { name: namespace, labels } });
    if (account) {
      // Nothing runs as it in this cluster: no token is mounted anywhere; the one token is the Secret's.
      new k8s.KubeServiceAccount(this, "serviceaccount", { metadata: meta, automountServiceAccountToken: false });
      this.tokenSecretName = grantName(namespace, "token");
      new k8s.KubeSecret(this, "token", {
        metadata: { name: this.tokenSecretName, namespace, labels, annotations: { "kubernetes.io/service-account.name": NAME } },
        type: "kubernetes.io/service-account-token",
      });
    }
    grantReader(this, {
      namespace,
      labels,
      subjects: account ? [{ kind: "ServiceAccount", name: NAME, namespace }] : [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: props.user! }],
      kinds,
      namespaces,
      fluxNamespace,
    });
  }
}

function check(p: { namespace: string; fluxNamespace: string; kinds: FluxKindName[]; namespaces: string[]; user?: string }): void {
  const fail = (m: string): never => {
    throw new Error(`FluxLightRemoteAccess: ${m}`);
  };
  if (!isNamespaceName(p.namespace)) fail(`namespace ${JSON.stringify(p.namespace)} is not a DNS label`);
  if (!isNamespaceName(p.fluxNamespace)) fail(`fluxNamespace ${JSON.stringify(p.fluxNamespace)} is not a DNS label`);
  if (p.kinds.length === 0) fail("kinds is empty: the agent would watch nothing");
  for (const k of p.kinds) if (!Object.hasOwn(FLUX_KINDS, k)) fail(`kind ${JSON.stringify(k)} is not a Flux kind the agent knows: ${ALL_FLUX_KINDS.join(", ")}`);
  if (new Set(p.kinds).size !== p.kinds.length) fail("kinds has duplicates");
  for (const ns of p.namespaces) if (!isNamespaceName(ns)) fail(`namespaces: ${JSON.stringify(ns)} is not a namespace name`);
  if (new Set(p.namespaces).size !== p.namespaces.length) fail("namespaces has duplicates");
  if (p.user !== undefined && p.user.trim() === "") fail("user is empty: name the kubeconfig's user, or leave it out for a ServiceAccount");
}
