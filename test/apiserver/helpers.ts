// Shared setup for the API-server tests: a started ApiServer and a client-node KubeConfig
// loaded from the kubeconfig file the server wrote, exactly as the agent loads one.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiException, CustomObjectsApi, KubeConfig, Watch } from "@kubernetes/client-node";
import { ApiServer, type ApiServerOptions } from "../../agent/sim/apiserver/server.ts";
import { setTimeout as sleep } from "node:timers/promises";

export interface Harness {
  server: ApiServer;
  kc: KubeConfig;
  api: CustomObjectsApi;
  kubeconfigPath: string;
  close(): Promise<void>;
}

export async function harness(o: ApiServerOptions = {}): Promise<Harness> {
  const server = await new ApiServer(o).start();
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-apiserver-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  server.writeKubeconfig(kubeconfigPath);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    server,
    kc,
    api: kc.makeApiClient(CustomObjectsApi),
    kubeconfigPath,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const KS = { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" } as const;
export const KS_PATH = "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations";

export interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string }; [k: string]: unknown };
}

/** A client-node Watch collecting events, with a promise for its `done` callback. */
export async function startWatch(kc: KubeConfig, path: string, query: Record<string, string | number | boolean>) {
  const events: WatchEvent[] = [];
  let resolveDone!: (err: unknown) => void;
  const done = new Promise<unknown>((r) => (resolveDone = r));
  const controller = await new Watch(kc).watch(path, query, (type, object) => events.push({ type, object }), (err) => resolveDone(err));
  return { events, done, abort: () => controller.abort() };
}

export async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting for condition");
    await sleep(10);
  }
}

/** The HTTP status and Kubernetes Status body a failed client-node call got. */
export async function failure(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiException) {
      const body = typeof e.body === "string" ? (JSON.parse(e.body) as Record<string, unknown>) : (e.body as Record<string, unknown>);
      return { code: e.code, body };
    }
    throw e;
  }
  throw new Error("expected the call to fail");
}
