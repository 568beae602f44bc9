// An exec credential plugin (client.authentication.k8s.io), run as kubectl runs it: the command
// with KUBERNETES_EXEC_INFO in its environment, an ExecCredential on its stdout. The credential
// is kept until its expirationTimestamp or until the API server rejects it.
import { execFile } from "node:child_process";
import type { Credentials, Identity } from "./credentials.ts";

export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  /** Where it sits in the kubeconfig, for errors. */
  field: string;
}

/** A plugin that hangs (waiting for a browser login nobody will do in a pod) must not hang the agent. */
const TIMEOUT_MS = 60_000;

export function execPlugin(cfg: ExecConfig, server: URL, now: () => number = Date.now): Credentials {
  let cached: { identity: Identity; expires: number } | undefined;
  let running: Promise<Identity> | undefined;
  const run = async (): Promise<Identity> => {
    const info = {
      apiVersion: cfg.apiVersion,
      kind: "ExecCredential",
      spec: { interactive: false, ...(cfg.provideClusterInfo ? { cluster: { server: server.href } } : {}) },
    };
    const env = { ...process.env, ...Object.fromEntries(cfg.env.map((e) => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(cfg.command, cfg.args, { env, timeout: TIMEOUT_MS, maxBuffer: 1 << 20 }, (err, out, errOut) => {
        if (!err) return resolve(out);
        const why = (err as NodeJS.ErrnoException).code === "ENOENT" ? "not found" : String(errOut).trim().split("\n")[0] || err.message.split("\n")[0];
        reject(new Error(`${cfg.field}: the credential plugin ${cfg.command} failed: ${why}${cfg.installHint ? ` (${cfg.installHint.trim()})` : ""}`));
      });
    });
    const identity = credentialOf(stdout, cfg);
    cached = identity;
    return identity.identity;
  };
  return {
    get() {
      if (cached && now() < cached.expires) return Promise.resolve(cached.identity);
      // Requests that start together share one run of the plugin.
      running ??= run().finally(() => (running = undefined));
      return running;
    },
    rejected() {
      cached = undefined;
    },
  };
}

function credentialOf(stdout: string, cfg: ExecConfig): { identity: Identity; expires: number } {
  let status: Record<string, unknown> | undefined;
  try {
    status = (JSON.parse(stdout) as { status?: Record<string, unknown> }).status;
  } catch {
    throw new Error(`${cfg.field}: the credential plugin ${cfg.command} did not print an ExecCredential (JSON)`);
  }
  const expiry = typeof status?.expirationTimestamp === "string" ? Date.parse(status.expirationTimestamp) : NaN;
  // No expiry: valid until the server says otherwise (kubectl's rule).
  const expires = Number.isFinite(expiry) ? expiry : Infinity;
  if (typeof status?.token === "string" && status.token) return { identity: { authorization: `Bearer ${status.token}` }, expires };
  if (typeof status?.clientCertificateData === "string" && typeof status.clientKeyData === "string") {
    return { identity: { cert: Buffer.from(status.clientCertificateData), key: Buffer.from(status.clientKeyData) }, expires };
  }
  throw new Error(`${cfg.field}: the credential plugin ${cfg.command} returned neither status.token nor status.clientCertificateData and clientKeyData`);
}
