// `npm run synth`: plain YAML into charts/dist/ (or $CDK8S_OUTDIR), for kubectl, Flux or a Nix build.
import { fileURLToPath } from "node:url";
import { propsFromEnv, synth } from "./lib/app.ts";

const outdir = process.env.CDK8S_OUTDIR ?? fileURLToPath(new URL("./dist", import.meta.url));
const files = synth({
  outdir,
  props: propsFromEnv(process.env),
  delivery: process.env.FLUXLIGHT_DELIVERY === "1",
  // The grant for a remote cluster, to apply there: `kubectl --context staging apply -f …/fluxlight-remote.k8s.yaml`.
  ...(process.env.FLUXLIGHT_REMOTE_ACCESS === "1" ? { remoteAccess: {} } : {}),
});
for (const f of files) console.log(`${outdir}/${f}`);
