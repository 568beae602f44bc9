// nix/examples/cdk8s-app.ts must keep working: it is what users copy.
import assert from "node:assert/strict";
import { it } from "node:test";
import { Testing } from "cdk8s";
import { addFluxLight } from "../../nix/examples/cdk8s-app.ts";
import { validate } from "./schemas.ts";

it("the cdk8s app fragment synthesizes valid objects with the given image", () => {
  const image = "nix:0/nix/store/00000000000000000000000000000000-nix-image-fluxlight.tar";
  const objects = Testing.synth(addFluxLight(Testing.app(), image));
  assert.deepEqual(objects.flatMap((o) => validate(o)), []);
  const d = objects.find((o) => o.kind === "Deployment");
  assert.equal(d?.spec.template.spec.containers[0].image, image);
});
