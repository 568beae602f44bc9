// Fragment of the homelab's own cdk8s app (the one its Nix derivation synthesizes into dist/,
// which rclone serves and the `main` Kustomization applies): fluxlight is one more chart.
// In that app the import is the fluxlight package's `charts/index.ts`; relative here so the
// fragment is type-checked and synthesized by test/charts/example.test.ts.
import { Chart, type App } from "cdk8s";
import { FluxLight } from "../../charts/index.ts";

export function addFluxLight(app: App, image: string): Chart {
  const chart = new Chart(app, "fluxlight", { disableResourceNameHashes: true });
  new FluxLight(chart, "fluxlight", {
    // From the Nix build: `fluxlight.packages.${system}.image.image`, passed in like the
    // homelab's other images (e.g. as an environment variable of the synth derivation).
    image,
    node: "shelf",
    serialPath: "/dev/fluxlight", // the NixOS module's symlink
    led: "rgb:9,10,11",
    // deviceAccess: "privileged", // only without squat/generic-device-plugin: the big hammer
  });
  return chart;
}

// In the homelab's app.ts, beside the other charts:
//   const app = new App({ outdir: "dist" });
//   addFluxLight(app, process.env.FLUXLIGHT_IMAGE ?? "fluxlight:0.1.0");
//   app.synth();
