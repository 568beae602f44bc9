// `npm run synth`: plain YAML into charts/dist/ (or $CDK8S_OUTDIR), for kubectl, Flux or a Nix build.
import { fileURLToPath } from "node:url";
import { propsFromEnv, synth } from "./lib/app.ts";

const outdir = process.env.CDK8S_OUTDIR ?? fileURLToPath(new URL("./dist", import.meta.url));
const files = synth({ outdir, props: propsFromEnv(process.env), delivery: process.env.FLUXLIGHT_DELIVERY === "1" });
for (const f of files) console.log(`${outdir}/${f}`);
