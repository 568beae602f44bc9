// The API client the source reads Flux with: kube/'s HTTP client, told to drop the fields the
// projection never reads (./project.ts) before an object is parsed.
import { kubeClient, type ClientOptions, type ClusterAccess, type KubeClient } from "../kube/client.ts";
import { UNREAD_FIELDS } from "./project.ts";

export function fluxApi(cluster: ClusterAccess, opts: Omit<ClientOptions, "ignoredFields"> = {}): KubeClient {
  return kubeClient(cluster, { ...opts, ignoredFields: UNREAD_FIELDS });
}
