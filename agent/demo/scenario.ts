// The demo's story, scene by scene. Durations scale with the progress grace, so that the same
// story can be told in a minute to a person or in seconds to a test.
import type { DemoCluster, Ref } from "./cluster.ts";

export interface Scene {
  title: string;
  /** What a person should see on the LED once the scene has played out (a colour from viewLed). */
  expect: string;
  play(cluster: DemoCluster, refs: Refs, graceMs: number): Promise<void>;
  /** How long the scene shows before the LED is read and the next begins; default `pause()`. */
  holdMs?(graceMs: number): number;
}

export interface Refs {
  bucket: Ref;
  infra: Ref;
  apps: Ref;
  monitoring: Ref;
}

export const SCENES: Scene[] = [
  {
    title: "Flux applies the homelab: Bucket caddy-bucket, Kustomizations infra, apps, monitoring",
    expect: "green",
    async play(cluster, refs) {
      await cluster.reconcile(refs.bucket);
      await Promise.all([cluster.reconcile(refs.infra), cluster.reconcile(refs.apps), cluster.reconcile(refs.monitoring)]);
    },
  },
  {
    title: "a routine reconcile of apps (Ready goes Unknown and back within the grace): no flicker",
    expect: "green",
    async play(cluster, refs) {
      await cluster.reconcile(refs.apps);
    },
  },
  {
    title: "a bad commit: apps fails to build (BuildFailed)",
    expect: "red",
    async play(cluster, refs) {
      await cluster.fail(refs.apps, "BuildFailed", "kustomize build failed: accumulating resources: 'deployment.yaml': no such file");
    },
  },
  {
    title: "the fix lands: apps applies again",
    expect: "green",
    async play(cluster, refs) {
      await cluster.reconcile(refs.apps);
    },
  },
  {
    title: "monitoring waits on a long health check, longer than the grace",
    expect: "amber",
    async play(cluster, refs) {
      await cluster.startHealthCheck(refs.monitoring, "health");
    },
    holdMs: (grace) => grace + Math.max(1500, grace * 0.5),
  },
  {
    title: "the health check passes",
    expect: "green",
    async play(cluster, refs) {
      await cluster.finishHealthCheck(refs.monitoring, "health");
    },
  },
  {
    title: "rclone serve s3 goes down: the Bucket fails while every Kustomization still says Ready=True",
    expect: "red",
    async play(cluster, refs) {
      await cluster.fail(refs.bucket, "BucketOperationFailed", "failed to confirm existence of 'dist' bucket: dial tcp 10.43.0.17:80: connect: connection refused");
    },
  },
  {
    title: "rclone is back: the Bucket fetches its artifact again",
    expect: "green",
    async play(cluster, refs) {
      await cluster.reconcile(refs.bucket);
    },
  },
];

/** How long to let each scene show before the next, so that a person (or a test) sees it. */
export function pause(graceMs: number): number {
  return Math.max(1500, graceMs * 0.8);
}
