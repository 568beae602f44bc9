// Fragment of the homelab's own cdk8s app (the one its Nix derivation synthesizes into dist/,
// which rclone serves and the `main` Kustomization applies): fluxlight is one more chart.
// In that app the import is the fluxlight package's `charts/index.ts`; relative here so the
// fragment is type-checked and synthesized by test/charts/example.test.ts.
//
// Two lights on one board, over two clusters: the home cluster (where the pod runs, read with its
// own service account) and staging (read through a kubeconfig the homelab keeps in a Secret).
import { Chart, type App } from "cdk8s";
import { FluxLight, FluxLightRemoteAccess, type LightProps } from "../../charts/index.ts";

/** The lights, shared by the home chart and staging's grant (the agent lists them in both clusters). */
export const LIGHTS: LightProps[] = [
  // Everything the home cluster runs, on an RGB LED.
  { name: "home", led: "rgb:9,10,11", clusters: ["in-cluster"] },
  // staging's apps only, on a traffic-light module.
  { name: "staging", led: "traffic:2,3,4", namespaces: ["flux-system", "apps"], clusters: ["staging"] },
];

export function addFluxLight(app: App, image: string): Chart {
  const chart = new Chart(app, "fluxlight", { disableResourceNameHashes: true });
  new FluxLight(chart, "fluxlight", {
    // From the Nix build: `fluxlight.packages.${system}.image.image`, passed in like the
    // homelab's other images (e.g. as an environment variable of the synth derivation).
    image,
    node: "shelf",
    serialPath: "/dev/fluxlight", // the NixOS module's symlink
    lights: LIGHTS,
    // staging's kubeconfig (context "staging"): a Secret `fluxlight-remote` in namespace fluxlight,
    // kept in git SOPS-encrypted (or sealed) beside these manifests. The chart never holds it.
    remoteKubeconfig: { secretName: "fluxlight-remote" },
    // deviceAccess: "privileged", // only without squat/generic-device-plugin: the big hammer
  });
  return chart;
}

/** In staging's own app (or its manifests): what the kubeconfig's ServiceAccount may read there. */
export function addFluxLightRemoteAccess(app: App): Chart {
  const chart = new Chart(app, "fluxlight-remote", { disableResourceNameHashes: true });
  new FluxLightRemoteAccess(chart, "fluxlight-remote", { lights: LIGHTS });
  return chart;
}

// In the homelab's app.ts, beside the other charts:
//   const app = new App({ outdir: "dist" });
//   addFluxLight(app, process.env.FLUXLIGHT_IMAGE ?? "fluxlight:0.1.0");
//   app.synth();
// One light over one cluster instead: `led: "rgb:9,10,11"` in place of `lights` and `remoteKubeconfig`.
