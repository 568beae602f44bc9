// fluxlight as a user installs it: `npm pack` (its prepack builds the bundles and the firmware
// image), then the tarball installed into an empty folder with no dev dependencies, and the
// installed copy run — `status` against the local API server, `run` lighting a board through a
// real pty, the demo's story. npm honours `overrides` only in the root project, so this is the
// only place the tree a user gets is the tree that is tested.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { board, spawnAgent, startBoardOnPty, startCluster, RGB } from "../e2e/harness.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
// npm and the installed command run on the node that runs this test (Node 20 or 22 in CI).
const PATH = `${dirname(process.execPath)}:${process.env.PATH}`;
const npm = (args: string[], cwd: string) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, env: { ...process.env, PATH }, encoding: "utf8" });

/**
 * Packs a copy of the checkout's files (tracked, or new and not ignored), not the checkout
 * itself: its prepack writes dist/, which other tests' `fluxlight` would then pick up.
 */
function pack(into: string): string {
  // Inside the checkout, so that prepack finds esbuild in its node_modules.
  const stage = mkdtempSync(join(ROOT, "dist-test-pack-"));
  try {
    const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter((f) => f && !f.startsWith("test/") && existsSync(join(ROOT, f)));
    for (const f of tracked) {
      mkdirSync(dirname(join(stage, f)), { recursive: true });
      cpSync(join(ROOT, f), join(stage, f));
    }
    npm(["pack", "--pack-destination", into], stage);
    return join(into, readdirSync(into).find((f) => f.endsWith(".tgz"))!);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/**
 * A preload that records every file node loads: ESM through a resolve hook, CommonJS (the bundles
 * load their two external packages with require) from require.cache at exit. Written into `dir`;
 * returns NODE_OPTIONS that load it, and a reader of what one run loaded.
 */
function loadTracer(dir: string): { nodeOptions: (log: string) => string; loaded: (log: string) => string[] } {
  const hooks = join(dir, "trace-hooks.mjs");
  writeFileSync(hooks, `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (r.url.startsWith("file:") && process.env.NODE_LOAD_TRACE_LOG) appendFileSync(process.env.NODE_LOAD_TRACE_LOG, new URL(r.url).pathname + "\\n");
  return r;
}
`);
  const preload = join(dir, "trace.mjs");
  writeFileSync(preload, `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
register(${JSON.stringify(pathToFileURL(hooks).href)});
const require = createRequire(import.meta.url);
process.on("exit", () => appendFileSync(process.env.NODE_LOAD_TRACE_LOG, Object.keys(require.cache).join("\\n") + "\\n"));
`);
  return {
    nodeOptions: () => `--import ${pathToFileURL(preload).href}`,
    loaded: (log) => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []),
  };
}

/** The package folder a loaded file belongs to (`…/node_modules/@scope/name`), or undefined outside node_modules. */
function packageDirOf(file: string): string | undefined {
  const at = file.lastIndexOf("/node_modules/");
  if (at < 0) return undefined;
  const rest = file.slice(at + "/node_modules/".length).split("/");
  return file.slice(0, at + "/node_modules/".length) + (rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]);
}

/** The installed folders of `roots` and of everything they depend on, resolved as node resolves them. */
function dependencyClosure(modules: string, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir) || !existsSync(join(dir, "package.json"))) return;
    seen.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      // Its own node_modules first, then each node_modules folder above it, as require looks.
      const candidates = [join(dir, "node_modules", dep)];
      for (let at = dir.lastIndexOf("/node_modules/"); at >= 0; at = dir.lastIndexOf("/node_modules/", at - 1)) candidates.push(join(dir.slice(0, at), "node_modules", dep));
      const found = candidates.find((c) => c.startsWith(modules) && existsSync(c));
      if (found) visit(found);
    }
  };
  for (const r of roots) visit(join(modules, r));
  return seen;
}

test("the packed tarball, installed into an empty folder without dev dependencies, runs status, run and the demo", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-install-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tarball = pack(dir);
  const app = join(dir, "app");
  mkdirSync(app);
  npm(["init", "-y"], app);
  npm(["install", "--omit=dev", "--prefer-offline", tarball], app);
  const pkg = join(app, "node_modules/fluxlight");
  const bin = join(app, "node_modules/.bin/fluxlight");

  // The installed tree: the bundles carry every JavaScript dependency at the version the lock
  // file pins; what npm resolved beside them is the native serial binding and pino-pretty.
  const installed = readdirSync(join(app, "node_modules"), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name === "package.json")
    .map((d) => JSON.parse(readFileSync(join(d.parentPath, d.name), "utf8")) as { name?: string; version?: string })
    .filter((p) => p.name && p.version);
  const names = new Set(installed.map((p) => p.name));
  // Not asserted absent: a runtime dependency the bundle also carries (tree-shaken), e.g.
  // @kubernetes/client-node and its undici; what runs is checked below, by what node loads.
  for (const absent of ["typescript", "tsx", "esbuild", "johnny-five", "serialport", "firmata", "browser-serialport", "avr8js", "yaml", "ajv"]) {
    assert.ok(!names.has(absent), `${absent} is not installed: it is a dev dependency or inside a bundle`);
  }
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version: string }> };
  assert.equal(installed.find((p) => p.name === "@serialport/bindings-cpp")?.version, lock.packages["node_modules/@serialport/bindings-cpp"]!.version, "the native binding the tests load");
  for (const f of ["dist/fluxlight.mjs", "dist/fluxlight-demo.mjs", "firmware/build/fluxlight.hex", "docs/design.md"]) assert.ok(existsSync(join(pkg, f)), `the package ships ${f}`);
  assert.ok(!existsSync(join(pkg, "dist/fluxlight.inputs.json")), "no input list: the installed command always runs the bundles");

  // What the installed command loads from node_modules, beside its own bundles: only the native
  // binding and pino-pretty, and what they need. Anything else would mean the bundle did not
  // carry a dependency, and the installed copy ran a version the lock file does not pin.
  const modules = join(app, "node_modules");
  const allowed = dependencyClosure(modules, ["@serialport/bindings-cpp", "pino-pretty"]);
  const tracer = loadTracer(dir);
  const loadLog = (name: string) => join(dir, `loaded-${name}.txt`);
  const env = (name: string) => ({ PATH, NODE_OPTIONS: tracer.nodeOptions(loadLog(name)), NODE_LOAD_TRACE_LOG: loadLog(name) });
  const loadedPackages = (name: string): string[] => {
    const files = tracer.loaded(loadLog(name));
    assert.ok(files.some((f) => f.startsWith(join(pkg, "dist/"))), `${name}: the load log saw the bundle run\n${files.join("\n")}`);
    return [...new Set(files.filter((f) => f.startsWith(modules + "/") && !f.startsWith(pkg + "/")).map(packageDirOf).filter((d): d is string => d !== undefined))];
  };
  const onlyAllowed = (name: string): string[] => {
    const packages = loadedPackages(name);
    const stray = packages.filter((d) => !allowed.has(d));
    assert.deepEqual(stray, [], `${name} loads only the bundles, the native binding and pino-pretty from node_modules`);
    return packages;
  };
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" }), kustomization({ name: "infra", ready: "False", reason: "BuildFailed", message: "oops" })]);
  t.after(() => cluster.stop());

  await t.test("status", async () => {
    const status = spawn(bin, ["status", "--kubeconfig", cluster.kubeconfig, "--output", "json"], { cwd: app, env: env("status"), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    status.stdout.on("data", (b: Buffer) => (out += b));
    status.stderr.on("data", (b: Buffer) => (err += b));
    const code = await new Promise<number | null>((r) => status.on("exit", r));
    assert.equal(code, 1, `exit 1: an object failed\n${err}`);
    const report = JSON.parse(out) as { signal: string; objects: { name: string; verdict: string }[] };
    assert.equal(report.signal, "failed");
    assert.deepEqual(report.objects.map((o) => `${o.name}=${o.verdict}`).sort(), ["apps=ready", "infra=failed"]);
    onlyAllowed("status");
  });

  await t.test("run, on a real pty with serialport's native binding from the installed tree", async (tt) => {
    const { uno, pty } = await startBoardOnPty();
    tt.after(async () => {
      await pty.close();
      uno.stop();
    });
    const { child, logs, exited } = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", pty.path, "--led", "rgb:9,10,11", "--http", "off"], env("run"), join(pkg, "agent/bin/fluxlight.js"));
    tt.after(() => child.kill("SIGKILL"));
    await logs.waitFor((l) => l.event === "board-connected", 45_000, "board-connected");
    await board(uno, RGB).waitForLed("red", 10_000);
    child.kill("SIGTERM");
    assert.equal(await exited, 0, "a clean stop");
    const packages = onlyAllowed("run");
    assert.ok(packages.includes(join(modules, "@serialport/bindings-cpp")), `run loads the native binding from the installed tree: ${packages.join(", ")}`);
  });

  await t.test("the demo's story, with the shipped firmware image and its checksum", async () => {
    const demo = spawn(bin, ["demo", "--progress-grace", "1s"], { cwd: app, env: env("demo"), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    demo.stdout.on("data", (b: Buffer) => (out += b));
    demo.stderr.on("data", (b: Buffer) => (err += b));
    const code = await new Promise<number | null>((r) => demo.on("exit", r));
    assert.equal(code, 0, `every scene as expected\n${out}\n${err}`);
    const hex = join(pkg, "firmware/build/fluxlight.hex");
    assert.match(out, new RegExp(`^.*firmware image sha256 ${sha256(hex)}$`, "m"), `the demo prints the shipped image's sha256\n${out}`);
    const seen = [...out.matchAll(/LED: (\w+)/g)].map((m) => m[1]);
    assert.deepEqual(seen.slice(0, 3), ["green", "green", "red"], out);
    assert.match(out, /demo over: (\d+) of \1 scenes/);
    onlyAllowed("demo");
  });
});
