// Synthesizes this repo's app: the same code path `npm run synth`, the Nix build and the tests use.
import { App, Chart, YamlOutputType } from "cdk8s";
import { FluxLightDelivery } from "./delivery.ts";
import { FluxLight } from "./fluxlight.ts";
import type { FluxLightProps } from "./props.ts";
import { FluxLightRemoteAccess, type FluxLightRemoteAccessProps } from "./remote.ts";

export interface SynthOptions {
  outdir: string;
  props?: FluxLightProps;
  /** Also write `fluxlight-delivery.k8s.yaml` (Bucket + Kustomization). */
  delivery?: boolean;
  /** Also write `fluxlight-remote.k8s.yaml`: the grant to apply in a remote cluster the agent watches. */
  remoteAccess?: FluxLightRemoteAccessProps;
}

/** Writes `<outdir>/fluxlight.k8s.yaml` (and the delivery file) and returns the file names. */
export function synth(o: SynthOptions): string[] {
  const app = new App({ outdir: o.outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  // Explicit names everywhere: no cdk8s hash suffixes, so object names are stable across synths.
  new FluxLight(new Chart(app, "fluxlight", { disableResourceNameHashes: true }), "fluxlight", o.props);
  if (o.delivery) new FluxLightDelivery(new Chart(app, "fluxlight-delivery", { disableResourceNameHashes: true }), "delivery");
  if (o.remoteAccess) new FluxLightRemoteAccess(new Chart(app, "fluxlight-remote", { disableResourceNameHashes: true }), "remote", o.remoteAccess);
  app.synth();
  return app.charts.map((c) => `${c.node.id}.k8s.yaml`);
}

/** The props the app takes from its environment: what a Nix build or CI injects. */
export function propsFromEnv(env: NodeJS.ProcessEnv): FluxLightProps {
  const p: { -readonly [K in keyof FluxLightProps]: FluxLightProps[K] } = {};
  if (env.FLUXLIGHT_IMAGE) p.image = env.FLUXLIGHT_IMAGE;
  if (env.FLUXLIGHT_NODE) p.node = env.FLUXLIGHT_NODE;
  if (env.FLUXLIGHT_SERIAL) p.serialPath = env.FLUXLIGHT_SERIAL;
  if (env.FLUXLIGHT_LED) p.led = env.FLUXLIGHT_LED;
  if (env.FLUXLIGHT_DEVICE_ACCESS === "privileged" || env.FLUXLIGHT_DEVICE_ACCESS === "device-plugin") {
    p.deviceAccess = env.FLUXLIGHT_DEVICE_ACCESS;
  } else if (env.FLUXLIGHT_DEVICE_ACCESS) {
    throw new Error(`FLUXLIGHT_DEVICE_ACCESS=${env.FLUXLIGHT_DEVICE_ACCESS}: expected device-plugin or privileged`);
  }
  return p;
}
