// The demo's Flux: a small homelab on the local API server, and a stand-in for Flux's
// controllers that writes the status sequences they write (agent/sim/flux/controller.ts).
import { ApiServer } from "../sim/apiserver/server.ts";
import { bucket, kustomization } from "../sim/flux/objects.ts";
import { failedRun, reconcileStarted, healthCheckRunning, reconcileSucceeded, successfulRun } from "../sim/flux/controller.ts";
import { fakeDigest } from "../sim/flux/conditions.ts";
import type { JsonObject } from "../sim/flux/kinds.ts";
import { setTimeout as sleep } from "node:timers/promises";

export interface Ref {
  kind: string;
  namespace: string;
  name: string;
}


/** Flux patches status several times per run; a watcher sees each, this far apart. */
const STEP_MS = 150;

export class DemoCluster {
  readonly server = new ApiServer();
  private revisionCount = 0;
  private readonly pending = new Map<string, string>();

  async start(): Promise<void> {
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }

  /** The homelab of conditions.md: rclone's Bucket feeding three Kustomizations, never reconciled yet. */
  createHomelab(): Ref[] {
    const objects = [
      bucket({ name: "caddy-bucket" }),
      kustomization({ name: "infra", sourceRef: { kind: "Bucket", name: "caddy-bucket" }, path: "./infra" }),
      kustomization({ name: "apps", sourceRef: { kind: "Bucket", name: "caddy-bucket" }, path: "./apps", dependsOn: ["infra"] }),
      kustomization({ name: "monitoring", sourceRef: { kind: "Bucket", name: "caddy-bucket" }, path: "./monitoring", wait: true }),
    ];
    return objects.map((o) => refOf(this.server.create(o)));
  }

  revision(): string {
    this.revisionCount += 1;
    return `latest@sha256:${fakeDigest(`demo-${this.revisionCount}`)}`;
  }

  /** A healthy run: Ready Unknown → … → True, within about a second. */
  async reconcile(ref: Ref, revision = this.revision()): Promise<void> {
    for (const status of successfulRun(this.get(ref), revision)) await this.write(ref, status);
  }

  async fail(ref: Ref, reason: string, message: string): Promise<void> {
    for (const status of failedRun(this.get(ref), this.revision(), reason, message)) await this.write(ref, status);
  }

  /** A run that waits on health checks: Ready stays Unknown until `finishHealthCheck`. */
  async startHealthCheck(ref: Ref, label: string): Promise<void> {
    const revision = this.revision();
    this.pending.set(label, revision);
    await this.write(ref, reconcileStarted(this.get(ref)));
    await this.write(ref, healthCheckRunning(this.get(ref), revision));
  }

  async finishHealthCheck(ref: Ref, label: string): Promise<void> {
    await this.write(ref, reconcileSucceeded(this.get(ref), this.pending.get(label) ?? this.revision()));
  }

  private get(ref: Ref): JsonObject {
    const obj = this.server.get(ref);
    if (!obj) throw new Error(`demo: ${ref.kind} ${ref.namespace}/${ref.name} is gone`);
    return obj;
  }

  private async write(ref: Ref, status: JsonObject): Promise<void> {
    this.server.updateStatus(ref, status);
    await sleep(STEP_MS);
  }
}

function refOf(obj: JsonObject): Ref {
  const md = obj.metadata as { namespace?: string; name: string };
  return { kind: String(obj.kind), namespace: md.namespace ?? "default", name: md.name };
}
