// How a failed request to the API server reads to the person running `kubectl logs`: what went
// wrong and what fixes it. Pure: the error in, a Connectivity out.
import type { Connectivity } from "../model.ts";
import { resourceName, type WatchedKind } from "./kinds.ts";

/** The HTTP status of a failed request (KubeApiError, or a client-node error in the tests), whichever way it carries it. */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === "number") return e.code;
  if (typeof e.statusCode === "number") return e.statusCode;
  return undefined;
}

/** The API server's own sentence from a Status body, else the error's message. */
export function messageOf(err: unknown): string {
  if (typeof err === "object" && err !== null) {
    const body = (err as { body?: unknown }).body;
    const parsed = typeof body === "string" ? safeJson(body) : body;
    if (typeof parsed === "object" && parsed !== null) {
      const msg = (parsed as { message?: unknown }).message;
      if (typeof msg === "string" && msg) return msg;
    }
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    if (cause && typeof cause.message === "string") return cause.message;
    const msg = (err as { message?: unknown }).message;
    if (typeof msg === "string") return msg.split("\n")[0] ?? msg;
  }
  return String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The ClusterRole rule that lets the agent read `kind`, written as a person would paste it. */
export function grantingRule(kind: WatchedKind): string {
  return `ClusterRole rule {apiGroups: ["${kind.group}"], resources: ["${kind.plural}"], verbs: ["list", "watch"]}`;
}

/** `namespace`: the list was of one namespace (--namespace), so a Role there would do too. */
export function classify(err: unknown, kind: WatchedKind, now: number, since: number | undefined, namespace?: string): Connectivity {
  const status = statusOf(err);
  const message = messageOf(err);
  if (status === 401) {
    return {
      state: "denied",
      error: `401 Unauthorized listing ${resourceName(kind)}: ${message}`,
      fix: "the API server rejected the credentials: check the kubeconfig user or the service account token",
    };
  }
  if (status === 403) {
    return {
      state: "denied",
      error: `403 Forbidden: ${message}`,
      fix: namespace
        ? `the service account cannot list ${resourceName(kind)} in the namespace ${namespace}; bind a Role there (or a ClusterRole) with the rule ${grantingRule(kind).replace(/^ClusterRole rule /, "")}`
        : `the service account cannot list ${resourceName(kind)} at the cluster scope; bind a ClusterRole with the ${grantingRule(kind)}`,
    };
  }
  if (status === 404) {
    return {
      state: "missing-crd",
      error: `404: the cluster does not serve ${resourceName(kind)}/${kind.version}`,
      fix: `install Flux (its ${kind.kind} CRD), or point --kubeconfig/--context at the cluster that runs it`,
    };
  }
  return { state: "unreachable", since: since ?? now, error: status ? `HTTP ${status}: ${message}` : message };
}
