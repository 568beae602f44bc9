// The demo's story, scene by scene. Durations scale with the progress grace, so that the same
// story can be told in a minute to a person or in seconds to a test. The same scenes play on one
// light (the whole homelab) or, with --story two-lights, on two lights of one board: the platform
// (rclone's Bucket and infra) and the apps (apps and monitoring), each red only for its own part.
import type { LightSettings } from "../lights.ts";
import type { DemoCluster, Ref } from "./cluster.ts";

/** The two-light story's lights, in the lights file's terms: each stands for two of the homelab's four objects. */
export const TWO_LIGHTS: LightSettings[] = [
  { name: "platform", led: { kind: "rgb", pins: { red: 9, green: 10, blue: 11 }, anode: false }, namespaces: [], names: ["flux-system/caddy-bucket", "flux-system/infra"], clusters: [] },
  { name: "apps", led: { kind: "traffic", pins: { red: 2, yellow: 3, green: 4 } }, namespaces: [], names: ["flux-system/apps", "flux-system/monitoring"], clusters: [] },
];

/** A colour per light of TWO_LIGHTS, in the RGB LED's words (a traffic module shows amber as yellow). */
type TwoColours = { readonly [L in "platform" | "apps"]: string };

export interface Scene {
  title: string;
  /** What a person should see on the LED once the scene has played out (a colour from viewLed). */
  expect: string;
  /** The same, on each of the two-light story's lights. */
  expectTwo: TwoColours;
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
    expectTwo: { platform: "green", apps: "green" },
    async play(cluster, refs) {
      await cluster.reconcile(refs.bucket);
      await Promise.all([cluster.reconcile(refs.infra), cluster.reconcile(refs.apps), cluster.reconcile(refs.monitoring)]);
    },
  },
  {
    title: "a routine reconcile of apps (Ready goes Unknown and back within the grace): no flicker",
    expect: "green",
    expectTwo: { platform: "green", apps: "green" },
    async play(cluster, refs) {
      await cluster.reconcile(refs.apps);
    },
  },
  {
    title: "a bad commit: apps fails to build (BuildFailed)",
    expect: "red",
    expectTwo: { platform: "green", apps: "red" },
    async play(cluster, refs) {
      await cluster.fail(refs.apps, "BuildFailed", "kustomize build failed: accumulating resources: 'deployment.yaml': no such file");
    },
  },
  {
    title: "the fix lands: apps applies again",
    expect: "green",
    expectTwo: { platform: "green", apps: "green" },
    async play(cluster, refs) {
      await cluster.reconcile(refs.apps);
    },
  },
  {
    title: "monitoring waits on a long health check, longer than the grace",
    expect: "amber",
    expectTwo: { platform: "green", apps: "amber" },
    async play(cluster, refs) {
      await cluster.startHealthCheck(refs.monitoring, "health");
    },
    holdMs: (grace) => grace + Math.max(1500, grace * 0.5),
  },
  {
    title: "the health check passes",
    expect: "green",
    expectTwo: { platform: "green", apps: "green" },
    async play(cluster, refs) {
      await cluster.finishHealthCheck(refs.monitoring, "health");
    },
  },
  {
    title: "rclone serve s3 goes down: the Bucket fails while every Kustomization still says Ready=True",
    expect: "red",
    expectTwo: { platform: "red", apps: "green" },
    async play(cluster, refs) {
      await cluster.fail(refs.bucket, "BucketOperationFailed", "failed to confirm existence of 'dist' bucket: dial tcp 10.43.0.17:80: connect: connection refused");
    },
  },
  {
    title: "rclone is back: the Bucket fetches its artifact again",
    expect: "green",
    expectTwo: { platform: "green", apps: "green" },
    async play(cluster, refs) {
      await cluster.reconcile(refs.bucket);
    },
  },
];

/** How long to let each scene show before the next, so that a person (or a test) sees it. */
export function pause(graceMs: number): number {
  return Math.max(1500, graceMs * 0.8);
}
