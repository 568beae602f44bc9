// A kubeconfig read as kubectl reads it: the current (or chosen) context's cluster and user,
// files relative to the kubeconfig's directory, the `-data` fields before the file fields.
// What fluxlight cannot honour (a proxy, a removed auth-provider) is refused by field name,
// never silently ignored: a light that talks to the wrong cluster, or to none, would lie.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { load } from "js-yaml";
import { bearerFile, basicAuth, bearer, none, type Credentials } from "./credentials.ts";
import { execPlugin, type ExecConfig } from "./exec.ts";

/** Everything needed to talk to one API server as one user. */
export interface ClusterAccess {
  server: URL;
  /** The kubeconfig context, or "in-cluster"; for the start-up log. */
  context: string;
  tls: TlsSettings;
  credentials: Credentials;
}

export interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure: boolean;
  serverName?: string;
}

/** A kubeconfig fluxlight cannot use; `field` is its path inside the file, as a person finds it. */
export class KubeconfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Context names in the file, for "it has: …" in an error. */
export function contextNames(doc: unknown): string[] {
  const contexts = isObj(doc) && Array.isArray(doc.contexts) ? doc.contexts : [];
  return contexts.flatMap((c) => (isObj(c) && typeof c.name === "string" ? [c.name] : []));
}

export function parseKubeconfig(text: string): unknown {
  try {
    return load(text);
  } catch (err) {
    throw new KubeconfigError("(file)", `not YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** The access the kubeconfig at `path` grants through `context` (default: its current-context). */
export function accessFromKubeconfig(doc: unknown, path: string, context?: string): ClusterAccess {
  if (!isObj(doc)) throw new KubeconfigError("(file)", "is not a kubeconfig (expected a mapping with clusters, users and contexts)");
  const contextName = context ?? str(doc, "current-context", "current-context");
  if (!contextName) throw new KubeconfigError("current-context", "is not set; pass --context");
  const ctx = named(doc, "contexts", contextName, "context");
  const clusterName = str(ctx.value, "cluster", `${ctx.at}.cluster`);
  if (!clusterName) throw new KubeconfigError(`${ctx.at}.cluster`, "is missing");
  const cluster = named(doc, "clusters", clusterName, "cluster");
  const userName = str(ctx.value, "user", `${ctx.at}.user`);
  const user = userName ? named(doc, "users", userName, "user") : { value: {}, at: "" };
  const base = dirname(path);
  const file = (o: Obj, dataKey: string, fileKey: string, at: string) => bytes(o, dataKey, fileKey, at, base);

  const c = cluster.value;
  const serverText = str(c, "server", `${cluster.at}.server`);
  if (!serverText) throw new KubeconfigError(`${cluster.at}.server`, "is missing");
  let server: URL;
  try {
    server = new URL(serverText);
  } catch {
    throw new KubeconfigError(`${cluster.at}.server`, `${JSON.stringify(serverText)} is not a URL`);
  }
  if (server.protocol !== "https:" && server.protocol !== "http:") throw new KubeconfigError(`${cluster.at}.server`, `${server.protocol} is not http: or https:`);
  if (c["proxy-url"] !== undefined) throw new KubeconfigError(`${cluster.at}.proxy-url`, "fluxlight does not go through a proxy; remove it, or run fluxlight where the API server is reachable directly");

  const u = user.value;
  for (const removed of ["auth-provider"]) {
    if (u[removed] !== undefined) {
      throw new KubeconfigError(`${user.at}.${removed}`, "auth-provider plugins were removed from kubectl in 1.26 and fluxlight does not run them; use an exec credential plugin (for OIDC: kubelogin)");
    }
  }
  const tls: TlsSettings = {
    ca: file(c, "certificate-authority-data", "certificate-authority", cluster.at),
    cert: file(u, "client-certificate-data", "client-certificate", user.at),
    key: file(u, "client-key-data", "client-key", user.at),
    insecure: c["insecure-skip-tls-verify"] === true,
    serverName: str(c, "tls-server-name", `${cluster.at}.tls-server-name`),
  };
  if (Boolean(tls.cert) !== Boolean(tls.key)) throw new KubeconfigError(`${user.at}.client-key`, "a client certificate needs both client-certificate and client-key");
  return { server, context: contextName, tls, credentials: credentialsOf(u, user.at, base, server) };
}

function credentialsOf(u: Obj, at: string, base: string, server: URL): Credentials {
  if (u.exec !== undefined) {
    if (!isObj(u.exec)) throw new KubeconfigError(`${at}.exec`, "must be a mapping");
    return execPlugin(execConfig(u.exec, `${at}.exec`), server);
  }
  const token = str(u, "token", `${at}.token`);
  if (token) return bearer(token);
  const tokenFile = str(u, "tokenFile", `${at}.tokenFile`);
  if (tokenFile) return bearerFile(resolve(base, tokenFile), `${at}.tokenFile`);
  const username = str(u, "username", `${at}.username`);
  if (username) return basicAuth(username, str(u, "password", `${at}.password`) ?? "");
  return none;
}

function execConfig(e: Obj, at: string): ExecConfig {
  const command = str(e, "command", `${at}.command`);
  if (!command) throw new KubeconfigError(`${at}.command`, "is missing");
  const list = (key: string) => {
    const v = e[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new KubeconfigError(`${at}.${key}`, "must be a list");
    return v;
  };
  const args = list("args").map((a, i) => {
    if (typeof a !== "string") throw new KubeconfigError(`${at}.args[${i}]`, "must be a string");
    return a;
  });
  const env = list("env").map((v, i) => {
    if (!isObj(v) || typeof v.name !== "string" || typeof v.value !== "string") throw new KubeconfigError(`${at}.env[${i}]`, "must have a string name and value");
    return { name: v.name, value: v.value };
  });
  return {
    command,
    args,
    env,
    apiVersion: str(e, "apiVersion", `${at}.apiVersion`) ?? "client.authentication.k8s.io/v1",
    installHint: str(e, "installHint", `${at}.installHint`),
    provideClusterInfo: e.provideClusterInfo === true,
    field: at,
  };
}

/** The `name`d entry of the list `key`, as `{ value: entry[what], at: "key[i].what" }`. */
function named(doc: Obj, key: string, name: string, what: string): { value: Obj; at: string } {
  const list = doc[key];
  if (!Array.isArray(list)) throw new KubeconfigError(key, "is missing (expected a list)");
  const i = list.findIndex((e) => isObj(e) && e.name === name);
  if (i < 0) throw new KubeconfigError(key, `has no entry named ${JSON.stringify(name)}`);
  const value = (list[i] as Obj)[what];
  if (!isObj(value)) throw new KubeconfigError(`${key}[${i}].${what}`, "is missing");
  return { value, at: `${key}[${i}].${what}` };
}

function str(o: Obj, key: string, at: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new KubeconfigError(at, "must be a string");
  return v;
}

function resolve(base: string, p: string): string {
  return isAbsolute(p) ? p : join(base, p);
}

function bytes(o: Obj, dataKey: string, fileKey: string, at: string, base: string): Buffer | undefined {
  const data = str(o, dataKey, `${at}.${dataKey}`);
  if (data) return Buffer.from(data, "base64");
  const path = str(o, fileKey, `${at}.${fileKey}`);
  if (!path) return undefined;
  try {
    return readFileSync(resolve(base, path));
  } catch (err) {
    throw new KubeconfigError(`${at}.${fileKey}`, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount";

/** In a pod: the API server from the service environment, the mounted service account token. */
export function inClusterAccess(env: Record<string, string | undefined>, dir = SERVICE_ACCOUNT): ClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT ?? "443";
  if (!host) throw new KubeconfigError("KUBERNETES_SERVICE_HOST", "is not set (not running in a pod)");
  const server = new URL(`https://${host.includes(":") ? `[${host}]` : host}:${port}`);
  let ca: Buffer | undefined;
  try {
    ca = readFileSync(join(dir, "ca.crt"));
  } catch {
    throw new KubeconfigError(join(dir, "ca.crt"), "cannot be read; is automountServiceAccountToken off?");
  }
  // Bound service account tokens rotate (about hourly): the file is re-read, as client-go does.
  return { server, context: "in-cluster", tls: { ca, insecure: false }, credentials: bearerFile(join(dir, "token"), "service account token") };
}

/** The server as the kubeconfig wrote it (no trailing slash), for logs and messages. */
export const serverText = (access: ClusterAccess): string => access.server.href.replace(/\/$/, "");
