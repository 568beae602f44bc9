// nix/examples/cdk8s-app.ts must keep working: it is what users copy.
import assert from "node:assert/strict";
import { it } from "node:test";
import { readFileSync } from "node:fs";
import { Testing } from "cdk8s";
import { parseLightsFile } from "../../agent/cli/lights-file.ts";
import { lightsFileText } from "../../charts/lib/lights.ts";
import { load } from "js-yaml";
import { addFluxLight, addFluxLightRemoteAccess, LIGHTS } from "../../nix/examples/cdk8s-app.ts";
import { validate } from "./schemas.ts";

it("the cdk8s app fragment synthesizes valid objects with the given image: two lights over two clusters", () => {
  const image = "nix:0/nix/store/00000000000000000000000000000000-nix-image-fluxlight.tar";
  const objects = Testing.synth(addFluxLight(Testing.app(), image));
  assert.deepEqual(objects.flatMap((o) => validate(o)), []);
  const d = objects.find((o) => o.kind === "Deployment");
  const c = d?.spec.template.spec.containers[0];
  assert.equal(c.image, image);
  assert.deepEqual(c.args.slice(3, 5), ["--config", "/etc/fluxlight/lights.yaml"]);
  assert.deepEqual(c.args.slice(-2), ["--kubeconfig", "/etc/fluxlight/kubeconfig"]);
  assert.deepEqual(load(objects.find((o) => o.kind === "ConfigMap")?.data["lights.yaml"]), { lights: LIGHTS });
});

it("its grant for staging synthesizes valid objects", () => {
  const objects = Testing.synth(addFluxLightRemoteAccess(Testing.app()));
  assert.deepEqual(objects.flatMap((o) => validate(o)), []);
  assert.ok(objects.some((o) => o.kind === "Secret" && o.type === "kubernetes.io/service-account-token"));
});

it("README's two-light, two-cluster lights file is this example's lights", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = /### Several lights over two clusters[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, "README has the example");
  const fromReadme = parseLightsFile(example);
  assert.ok(fromReadme.ok, fromReadme.ok ? "" : fromReadme.error);
  assert.deepEqual(fromReadme, parseLightsFile(lightsFileText(LIGHTS)));
});
