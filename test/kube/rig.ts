// The real `fluxlight` command against the local API server over real TLS, for the kubeconfig
// tests: the server, kubeconfig files, and the command run to its end (status) or watched (run).
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ApiServer } from "../../agent/sim/apiserver/server.ts";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { FLUXLIGHT_BIN, LogBook } from "../e2e/harness.ts";

export const TLS = join(import.meta.dirname, "../fixtures/tls");
export const pem = (name: string) => readFileSync(join(TLS, name));
export const TOKEN = "sim-token";

export interface Rig {
  server: ApiServer;
  dir: string;
  write(name: string, content: unknown, mode?: number): string;
  kubeconfig(name: string, cluster?: Record<string, unknown>, user?: Record<string, unknown>): string;
  fluxlight(args: string[], env?: Record<string, string>, wrap?: string[]): Promise<Run>;
  status(args: string[], env?: Record<string, string>, wrap?: string[]): Promise<Run>;
  run(args: string[], env?: Record<string, string>, wrap?: string[]): Running;
  /** Requests the simulator saw from now on. */
  requestsFrom(): () => ApiServer["stats"]["requests"];
  stop(): Promise<void>;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  logs: LogBook;
  stderr(): string;
  stop(): Promise<void>;
}

export const okLight = (l: Record<string, unknown>) => l.event === "signal" && l.to === "ok";

/** The environment of a machine that is not a pod and has no kubeconfig of its own. */
function cleanEnv(dir: string, env: Record<string, string>): Record<string, string> {
  const keep = Object.entries(process.env).filter(([k]) => !/^(FLUXLIGHT_|KUBECONFIG$|KUBERNETES_|HTTPS?_PROXY$|https?_proxy$|NO_PROXY$|no_proxy$|ALL_PROXY$|all_proxy$)/.test(k));
  return { ...(Object.fromEntries(keep) as Record<string, string>), HOME: join(dir, "no-home"), ...env };
}

export async function startRig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-kubeconfig-e2e-"));
  const server = await new ApiServer({ token: TOKEN, tls: { key: pem("server.key"), cert: pem("server.crt"), clientCa: pem("ca.crt") } }).start();
  server.create(kustomization({ name: "apps", ready: "True" }));

  const write = (name: string, content: unknown, mode = 0o600) => {
    const path = join(dir, name);
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(path, typeof content === "string" || Buffer.isBuffer(content) ? content : dump(content), { mode });
    return path;
  };
  /** A kubeconfig with one context "sim" for the simulator (its CA in a file beside it); `cluster` and `user` add to (or replace) its fields. */
  const kubeconfig = (name: string, cluster: Record<string, unknown> = {}, user: Record<string, unknown> = { token: TOKEN }) => {
    write(`${name}.ca.crt`, pem("ca.crt"));
    return write(name, {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "sim", cluster: { server: server.url, "certificate-authority": `${name.split("/").at(-1)}.ca.crt`, ...cluster } }],
      users: [{ name: "agent", user }],
      contexts: [{ name: "sim", context: { cluster: "sim", user: "agent" } }],
      "current-context": "sim",
    });
  };
  /** `fluxlight ARGS` to its end; `wrap` runs it through another command (unshare, for in-cluster). */
  const fluxlight = (args: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<Run> => {
    const argv = [...wrap, process.execPath, FLUXLIGHT_BIN, ...args];
    const child = spawn(argv[0]!, argv.slice(1), { env: cleanEnv(dir, env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b));
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    return new Promise((resolve) => child.on("exit", (code) => (clearTimeout(timer), resolve({ code, stdout, stderr }))));
  };
  /** `fluxlight run` with no board (the Kubernetes side works without one): its JSON log. */
  const run = (args: string[], env: Record<string, string> = {}, wrap: string[] = []): Running => {
    const argv = [...wrap, process.execPath, FLUXLIGHT_BIN, "run", "--serial", join(dir, "no-such-tty"), "--http", "off", ...args];
    const child = spawn(argv[0]!, argv.slice(1), { env: cleanEnv(dir, env), stdio: ["ignore", "pipe", "pipe"] });
    const logs = new LogBook();
    let partial = "";
    child.stdout.on("data", (b: Buffer) => {
      const text = partial + b.toString();
      const cut = text.lastIndexOf("\n");
      partial = text.slice(cut + 1);
      logs.add(text.slice(0, cut + 1));
    });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    return {
      logs,
      stderr: () => stderr,
      async stop() {
        child.kill("SIGTERM");
        await exited;
      },
    };
  };
  return {
    server,
    dir,
    write,
    kubeconfig,
    fluxlight,
    status: (args, env, wrap) => fluxlight(["status", ...args], env, wrap),
    run,
    requestsFrom() {
      const start = server.stats.requests.length;
      return () => server.stats.requests.slice(start);
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
