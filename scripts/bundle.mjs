#!/usr/bin/env node
// `npm run build` (and `prepack`): what the package runs, so that an installed copy needs no
// TypeScript, no compiler and no dev dependency. Two ESM files, tree-shaken by esbuild:
//   - dist/fluxlight.mjs: agent/cli/main.ts and what it reaches (`run`, `status`, `help`);
//   - dist/fluxlight-demo.mjs: the demo (avr8js, the simulated API server and Flux objects,
//     their CRD schemas), loaded by the first only for `fluxlight demo`, so that the agent's
//     resident memory never holds the simulators (BENCHMARKS.md).
// Every JavaScript dependency is inside them, at the version package-lock.json pins (with its
// `overrides`, which npm honours only in the root project: an installed tarball would get
// johnny-five's own serialport 8 and firmata). Kept out, and so runtime dependencies:
//   - @serialport/bindings-cpp: loads its prebuilt .node through node-gyp-build relative to its
//     own directory, so it must stay a real package in node_modules (resolved from dist/);
//   - pino-pretty: required only for --log-format pretty.
// Also writes dist/fluxlight.inputs.json (the project sources that went in) so agent/bin can
// tell a stale bundle from a fresh one, and dist/fluxlight.meta.json (esbuild's metafile).
//
//   node scripts/bundle.mjs [--minify | --no-minify] [--outdir DIR]   (DIR inside the checkout, so
//   that the external packages still resolve from node_modules; the tests build one there)
import { build } from "esbuild";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdirArg = process.argv.indexOf("--outdir");
const OUTDIR = outdirArg > 0 ? join(process.cwd(), process.argv[outdirArg + 1]) : join(ROOT, "dist");
const OUT = join(OUTDIR, "fluxlight.mjs");
// Whitespace and syntax minified by default: it halves the file, and the file's text stays in
// V8's heap for the life of the process (measured: BENCHMARKS.md). Names are kept, so stack
// traces in logs stay readable; --minify also shortens them, --no-minify keeps everything.
const minify = process.argv.includes("--minify");
const readable = process.argv.includes("--no-minify");

const DEMO = "fluxlight-demo.mjs";
const DEMO_STUB = `
export async function runDemo(...args) {
  const demo = await import("./${DEMO}");
  return demo.runDemo(...args);
}
`;

/** In the main bundle the demo module (and so avr8js and the simulators) is a loader of the demo bundle. */
const leaveOutDemo = {
  name: "leave-out-demo",
  setup(b) {
    b.onResolve({ filter: /\/demo\/demo\.ts$/ }, (args) => ({ path: join(args.resolveDir, args.path), namespace: "demo-stub" }));
    b.onLoad({ filter: /.*/, namespace: "demo-stub" }, () => ({ contents: DEMO_STUB, loader: "js" }));
  },
};

/**
 * agent/cli/main.ts imports the agent's modules lazily (\`await import(...)\`), which matters when
 * tsx runs the sources. In a single-file bundle esbuild must wrap every module reached through a
 * dynamic import in a lazy initializer, and a wrapped module's \`export * from\` is materialized
 * whole (it kept all of a library's re-exports). Here those imports become static namespace
 * imports, so esbuild can tree-shake what they reach (BENCHMARKS.md).
 */
const staticAgentImports = {
  name: "static-agent-imports",
  setup(b) {
    b.onLoad({ filter: /agent\/cli\/main\.ts$/ }, (args) => {
      const names = new Map();
      const text = readFileSync(args.path, "utf8").replace(/\bimport\(\s*"(\.{1,2}\/[^"]+\.ts)"\s*\)/g, (_, spec) => {
        if (!names.has(spec)) names.set(spec, `__flStatic${names.size}`);
        return `Promise.resolve(${names.get(spec)})`;
      });
      if (names.size === 0) process.stderr.write("bundle: agent/cli/main.ts has no lazy import left to make static (the bundle may not be tree-shaken)\n");
      const head = [...names].map(([spec, name]) => `import * as ${name} from ${JSON.stringify(spec)};`).join("\n");
      return { contents: `${head}\n${text}`, loader: "ts" };
    });
  },
};

/**
 * @kubernetes/client-node, tree-shaken as far as stays correct (BENCHMARKS.md, "What client-node
 * costs"). The agent uses its KubeConfig (loading, contexts, users, auth providers, exec plugins,
 * TLS, proxy agents) and none of its generated API, watch, informer, exec or copy helpers:
 *   - its modules are declared free of side effects (they are: classes, functions and constants;
 *     the one global it sets, a File polyfill, is for the generated API's form uploads), so what
 *     the index re-exports and nothing reaches is dropped;
 *   - undici, which client-node imports for its fetch-based requests (the generated API, Watch,
 *     Log, Metrics, health checks) and which KubeConfig imports for createDispatcher, a private
 *     method only the generated API's requests reach (applySecurityAuthentication), is replaced
 *     by a stub that throws if it is ever used: the agent's requests take applyToHTTPSOptions and
 *     node's https, and the bundle test runs status and run on the bundle.
 */
const UNDICI_STUB = `
const unused = (name) => { throw new Error("fluxlight's bundle leaves out undici (" + name + "): client-node's fetch-based API is not part of it; the agent uses applyToHTTPSOptions"); };
export const Agent = class { constructor() { unused("Agent"); } };
export const ProxyAgent = class { constructor() { unused("ProxyAgent"); } };
export const fetch = () => unused("fetch");
`;
const CLIENT_NODE = /[\\/]node_modules[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;
const treeShakeClientNode = {
  name: "tree-shake-client-node",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => (CLIENT_NODE.test(args.importer) ? { path: "undici", namespace: "undici-stub" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "undici-stub" }, () => ({ contents: UNDICI_STUB, loader: "js" }));
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === "client-node" || !(CLIENT_NODE.test(args.importer) || args.path === "@kubernetes/client-node")) return undefined;
      const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: "client-node" });
      if (r.errors.length || !CLIENT_NODE.test(r.path)) return r.errors.length ? { errors: r.errors } : r;
      return { path: r.path, sideEffects: false };
    });
  },
};

const started = performance.now();
mkdirSync(OUTDIR, { recursive: true });
const common = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minifyWhitespace: !readable,
  minifySyntax: !readable,
  minifyIdentifiers: minify,
  treeShaking: true,
  sourcemap: false,
  legalComments: "none",
  metafile: true,
  logLevel: "warning",
  external: ["@serialport/bindings-cpp", "pino-pretty", `./${DEMO}`],
};
// CommonJS packages inside an ESM bundle still call require() (for Node built-ins and the
// external binding): give them a real one.
const requireShim = ['import { createRequire as __flCreateRequire } from "node:module";', "const require = __flCreateRequire(import.meta.url);"];
const [main, demo] = await Promise.all([
  build({
    ...common,
    entryPoints: [join(ROOT, "agent/cli/main.ts")],
    outfile: OUT,
    plugins: [leaveOutDemo, staticAgentImports, treeShakeClientNode],
    banner: { js: ["#!/usr/bin/env node", ...requireShim].join("\n") },
  }),
  build({
    ...common,
    entryPoints: [join(ROOT, "agent/demo/demo.ts")],
    outfile: join(OUTDIR, DEMO),
    plugins: [treeShakeClientNode],
    banner: { js: requireShim.join("\n") },
  }),
]);

const project = (result) => Object.keys(result.metafile.inputs).filter((p) => !p.includes("node_modules") && !p.startsWith("demo-stub:"));
const inputs = [...new Set([...project(main), ...project(demo)])].sort();
writeFileSync(join(OUTDIR, "fluxlight.inputs.json"), JSON.stringify(inputs.map((p) => relative(ROOT, join(ROOT, p))), null, 1) + "\n");
writeFileSync(join(OUTDIR, "fluxlight.meta.json"), JSON.stringify(main.metafile));
writeFileSync(join(OUTDIR, "fluxlight-demo.meta.json"), JSON.stringify(demo.metafile));
const kib = (result) => `${(Object.values(result.metafile.outputs)[0].bytes / 1024).toFixed(0)} KiB`;
process.stdout.write(`${relative(ROOT, OUT)}: ${kib(main)}, ${DEMO}: ${kib(demo)}${minify ? " (minified)" : readable ? "" : " (whitespace, syntax minified)"}, ${inputs.length} project files, ${Math.round(performance.now() - started)} ms\n`);
