// What can be checked of the Nix side without nixpkgs (which cannot be fetched here): every .nix
// file parses, and the parts that need no nixpkgs evaluate to what they should, against stubs.
// nix-instantiate comes from scripts/setup.sh (Debian: nix-bin); without it these tests fail.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { KNOWN_USB_IDS, USB_ID_HEX, matches } from "../../agent/link/ports.ts";
import { ALL_FLUX_KINDS } from "../../charts/lib/kinds.ts";
import { render, one } from "../charts/render.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// No daemon and no nixbld group here: evaluation only, never a build.
const ENV = { ...process.env, NIX_CONFIG: "build-users-group =\nexperimental-features =" };

function nix(args: string[]): string {
  try {
    return execFileSync("nix-instantiate", args, { cwd: ROOT, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === "ENOENT") {
      throw new Error("nix-instantiate is not installed: run scripts/setup.sh (Debian package nix-bin) or use `nix develop`");
    }
    throw new Error(`nix-instantiate ${args.join(" ")}: ${err.stderr ?? err.message}`);
  }
}

/** Evaluates a Nix expression (run from the repo root) to JSON. */
function evalJson(expr: string): unknown {
  return JSON.parse(nix(["--eval", "--strict", "--json", "-E", expr]));
}

function evalError(expr: string): string {
  try {
    evalJson(expr);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${expr} to fail`);
}

function nixFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (d.name === "node_modules" || d.name.startsWith(".")) return [];
    const p = join(dir, d.name);
    return d.isDirectory() ? nixFiles(p) : d.name.endsWith(".nix") ? [p] : [];
  });
}

const moduleWith = (settings: string): string =>
  `import ./test/nix/eval-module.nix { settings.services.fluxlight = ${settings}; }`;

describe("every .nix file", () => {
  const files = nixFiles(ROOT).map((f) => relative(ROOT, f)).sort();

  it("includes the flake, the module and the examples", () => {
    for (const f of ["flake.nix", "nix/module.nix", "nix/packages.nix", "nix/examples/colmena-hive.nix"]) assert.ok(files.includes(f), f);
  });

  for (const f of files) it(`parses: ${f}`, () => void nix(["--parse", f]));
});

describe("NixOS module: udev rule", () => {
  const rule = (settings: string): unknown => evalJson(`(${moduleWith(settings)}).config.services.udev.extraRules`);

  it("with the defaults: the Uno R3 under /dev/fluxlight, dialout, 0660", () => {
    assert.equal(
      rule("{ enable = true; }"),
      "# fluxlight: the status-light board, by USB id, under a name that does not move.\n" +
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="2341", ATTRS{idProduct}=="0043", SYMLINK+="fluxlight", GROUP="dialout", MODE="0660", ENV{ID_MM_DEVICE_IGNORE}="1"\n',
    );
  });

  it("with given options: a CH340 clone picked by serial, own name, group and mode", () => {
    assert.equal(
      rule('{ enable = true; usb = { vendorId = "1a86"; productId = "7523"; serial = "A50285BI"; }; symlink = "serial/fluxlight"; group = "fluxlight"; mode = "0600"; }'),
      "# fluxlight: the status-light board, by USB id, under a name that does not move.\n" +
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", ATTRS{serial}=="A50285BI", SYMLINK+="serial/fluxlight", GROUP="fluxlight", MODE="0600", ENV{ID_MM_DEVICE_IGNORE}="1"\n',
    );
    assert.deepEqual(evalJson(`(${moduleWith('{ enable = true; group = "fluxlight"; }')}).config.users.groups`), { fluxlight: {} });
  });

  it("does nothing when disabled", () => {
    assert.deepEqual(evalJson(`(${moduleWith("{ }")}).config`), {});
  });

  it("rejects values udev would misread, and unknown or read-only options", () => {
    assert.match(evalError(moduleWith('{ enable = true; mode = "666"; }')), /option mode/);
    assert.match(evalError(moduleWith('{ enable = true; usb.vendorId = "2341\\", RUN+=\\"/bin/sh"; }')), /option vendorId/);
    assert.match(evalError(moduleWith('{ enable = true; usb.productId = "0043"; usb.vendor = "2341"; }')), /unknown option\(s\): vendor/);
    assert.match(evalError(moduleWith('{ enable = true; devicePath = "/dev/x"; }')), /read-only/);
    assert.match(evalError(moduleWith('{ enable = true; symlink = "../ttyS0"; }')), /option symlink/);
  });
});

describe("NixOS module: generic-device-plugin config", () => {
  it("advertises the stable path under the chart's default resource name", () => {
    const etc = evalJson(`(${moduleWith("{ enable = true; devicePlugin.enable = true; }")}).config.environment.etc`) as Record<string, { text: string }>;
    assert.deepEqual(Object.keys(etc), ["generic-device-plugin/config.yaml"]);
    const cfg = JSON.parse(etc["generic-device-plugin/config.yaml"]?.text ?? "null");
    assert.deepEqual(cfg, { devices: [{ name: "serial", groups: [{ paths: [{ path: "/dev/fluxlight" }] }] }] });
  });

  it("is absent unless enabled", () => {
    assert.deepEqual(evalJson(`(${moduleWith("{ enable = true; }")}).config.environment.etc`), {});
  });

  it("takes a USB id as the agent does (agent/link/ports.ts), and by default names a board --serial auto finds", () => {
    // The module is Nix and cannot import the agent's TypeScript: its id type is read back here.
    const types = evalJson(`let m = import ./nix/module.nix { config.services.fluxlight = { symlink = "x"; }; lib = import ./test/nix/stub-lib.nix; }; in { v = m.options.services.fluxlight.usb.vendorId.type.name; p = m.options.services.fluxlight.usb.productId.type.name; }`) as { v: string; p: string };
    assert.deepEqual(types, { v: `strMatching ${USB_ID_HEX}`, p: `strMatching ${USB_ID_HEX}` });
    const opts = evalJson(`(${moduleWith("{ enable = true; }")}).options`) as { usb: { vendorId: string; productId: string } };
    assert.ok(matches({ path: "/dev/ttyACM0", vendorId: opts.usb.vendorId, productId: opts.usb.productId }, KNOWN_USB_IDS), `${opts.usb.vendorId}:${opts.usb.productId} is a known board`);
    assert.match(evalError(moduleWith('{ enable = true; usb.productId = "7523 "; }')), /option productId/);
  });

  it("agrees with the chart's defaults", () => {
    const opts = evalJson(`(${moduleWith("{ enable = true; }")}).options`) as { devicePath: string; devicePlugin: { name: string } };
    const { objects } = render();
    const c = one(objects, "Deployment").spec.template.spec.containers[0];
    assert.equal(c.args[c.args.indexOf("--serial") + 1], opts.devicePath);
    assert.ok(`squat.ai/${opts.devicePlugin.name}` in c.resources.limits);
    assert.equal(ALL_FLUX_KINDS.length, 7);
  });
});

describe("flake.nix", () => {
  const stubInputs = "{ self = { }; nixpkgs = { }; nix-snapshotter = { }; }";

  it("pins its inputs", () => {
    assert.deepEqual(evalJson("(import ./flake.nix).inputs"), {
      nixpkgs: { url: "github:NixOS/nixpkgs/nixos-unstable" },
      "nix-snapshotter": { url: "github:pdtpartners/nix-snapshotter", inputs: { nixpkgs: { follows: "nixpkgs" } } },
    });
  });

  it("exposes the outputs the pipeline uses", () => {
    assert.deepEqual(evalJson(`builtins.attrNames ((import ./flake.nix).outputs ${stubInputs})`), ["apps", "devShells", "nixosModules", "packages"]);
  });

  it("nixosModules.default is the module, and yields the same udev rule", () => {
    const viaFlake = evalJson(
      `(import ./test/nix/eval-module.nix { module = ((import ./flake.nix).outputs ${stubInputs}).nixosModules.default; settings.services.fluxlight.enable = true; }).config.services.udev.extraRules`,
    );
    assert.equal(viaFlake, evalJson(`(${moduleWith("{ enable = true; }")}).config.services.udev.extraRules`));
  });
});

describe("package expressions, against stub builders", () => {
  const store = (name: string): string => `"/nix/store/00000000000000000000000000000000-${name}"`;

  it("both images run the agent's bin with node, as the chart's non-root uid, without a tsx cache", () => {
    const cfg = evalJson(`import ./nix/image-config.nix { agent = ${store("fluxlight-0.1.0")}; nodejs = ${store("nodejs-22")}; }`) as Record<string, unknown>;
    assert.deepEqual(cfg.Entrypoint, [
      "/nix/store/00000000000000000000000000000000-nodejs-22/bin/node",
      "/nix/store/00000000000000000000000000000000-fluxlight-0.1.0/lib/node_modules/fluxlight/agent/bin/fluxlight.js",
    ]);
    assert.equal(cfg.User, "65532:65532");
    const { objects } = render();
    assert.equal(one(objects, "Deployment").spec.template.spec.securityContext.runAsUser, 65532);
    assert.ok((cfg.Env as string[]).includes("TSX_DISABLE_CACHE=1"));
    // The same node flags and port as the chart's container: the image cannot import the chart.
    const container = one(objects, "Deployment").spec.template.spec.containers[0];
    const nodeOptions = container.env.find((e: { name: string }) => e.name === "NODE_OPTIONS").value;
    assert.ok((cfg.Env as string[]).includes(`NODE_OPTIONS=${nodeOptions}`), nodeOptions);
    assert.deepEqual(Object.keys(cfg.ExposedPorts as object), [`${container.ports[0].containerPort}/tcp`]);
    const snap = evalJson(`import ./nix/image.nix { nix-snapshotter.buildImage = a: a; agent = "a"; nodejs = "n"; version = "0.1.0"; }`) as Record<string, unknown>;
    assert.equal(snap.resolvedByNix, true);
    const layered = evalJson(`import ./nix/image-tarball.nix { dockerTools.buildLayeredImage = a: a; agent = "a"; nodejs = "n"; version = "0.1.0"; }`) as Record<string, unknown>;
    assert.deepEqual(layered.config, snap.config);
  });

  it("the flash app writes the firmware to the stable device, or to the one given", () => {
    const app = evalJson(`import ./nix/flash.nix { writeShellApplication = a: a; avrdude = "avrdude"; coreutils = "coreutils"; firmware = ${store("fluxlight-firmware")}; }`) as { text: string; runtimeInputs: string[] };
    assert.match(app.text, /^port="\$\{1:-\/dev\/fluxlight\}"$/m);
    assert.match(app.text, /exec avrdude -p atmega328p -c arduino -P "\$port" -b 115200 -U "flash:w:\/nix\/store\/0{32}-fluxlight-firmware\/fluxlight\.hex:i"/);
    execFileSync("bash", ["-n", "-c", app.text]);
  });

  it("the flash app prints the sha256 of the image it writes, as the demo prints it", () => {
    // The real image, in a folder standing for the firmware derivation; avrdude is a stub that
    // says what it was asked to do.
    const dir = mkdtempSync(join(tmpdir(), "fluxlight-flash-"));
    try {
      mkdirSync(join(dir, "firmware"));
      copyFileSync(join(ROOT, "firmware/build/fluxlight.hex"), join(dir, "firmware/fluxlight.hex"));
      mkdirSync(join(dir, "bin"));
      writeFileSync(join(dir, "bin/avrdude"), '#!/bin/sh\necho "avrdude $*"\n', { mode: 0o755 });
      const app = evalJson(`import ./nix/flash.nix { writeShellApplication = a: a; avrdude = "avrdude"; coreutils = "coreutils"; firmware = "${dir}/firmware"; }`) as { text: string; runtimeInputs: string[] };
      assert.deepEqual(app.runtimeInputs, ["avrdude", "coreutils"]);
      const run = spawnSync("bash", ["-euo", "pipefail", "-c", app.text, "fluxlight-flash", "/dev/null"], { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` }, encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      const sha256 = createHash("sha256").update(readFileSync(join(ROOT, "firmware/build/fluxlight.hex"))).digest("hex");
      assert.equal(run.stderr, `fluxlight-flash: writing ${dir}/firmware/fluxlight.hex (sha256 ${sha256}) to /dev/null\n`);
      assert.match(run.stdout, /^avrdude .* -P \/dev\/null .* -U flash:w:.*\/firmware\/fluxlight\.hex:i$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the manifests derivation runs `npm run synth` with the image injected", () => {
    const drv = evalJson(
      "import ./nix/manifests.nix { " +
        'lib.fileset = { toSource = a: "src"; unions = l: l; }; buildNpmPackage = a: a; ' +
        'importNpmLock = { __functor = _: _: "deps"; npmConfigHook = "hook"; }; ' +
        'nodejs = "n"; src = ./.; version = "0.1.0"; agent = "a"; image = "nix:0/nix/store/x.tar"; }',
    ) as { npmBuildScript: string; env: Record<string, string> };
    assert.equal(drv.npmBuildScript, "synth");
    assert.equal(drv.env.FLUXLIGHT_IMAGE, "nix:0/nix/store/x.tar");
  });
});
