// The design's arrows, checked on the import graph: source → status → signal → light → link.
// A module may import the TYPES of modules before it on that path and the shared value modules;
// never a module after it; nothing imports cli/; parts are wired together only at the edges
// (agent.ts, cli/, http/, demo/, log/story.ts). docs/design.md draws the same arrows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const AGENT = fileURLToPath(new URL("../../agent/", import.meta.url));
const PATH = ["source", "status", "signal", "light", "link"] as const;

type Layer = (typeof PATH)[number] | "shared" | "kube" | "edge" | "sim" | "cli";

/** `file`: a path relative to agent/, with forward slashes. */
export function layerOf(file: string): Layer {
  const top = file.includes("/") ? file.slice(0, file.indexOf("/")) : file;
  if (file === "model.ts" || top === "shared" || top === "text" || file === "log/logger.ts" || file === "log/ratelimit.ts") return "shared";
  if ((PATH as readonly string[]).includes(top)) return top as Layer;
  if (top === "kube") return "kube";
  if (top === "sim") return "sim";
  if (top === "cli") return "cli";
  return "edge"; // agent.ts, http/, demo/, log/story.ts, bin/, types/
}

export interface Import {
  from: string;
  to: string;
  typeOnly: boolean;
}

/** Why an import breaks the arrows, or undefined when it is fine. */
export function violation({ from, to, typeOnly }: Import): string | undefined {
  const a = layerOf(from);
  const b = layerOf(to);
  if (b === "cli" && a !== "cli" && !from.startsWith("bin/")) return "nothing imports cli/ (it is the process boundary)";
  if (a === "edge" || a === "cli" || a === "sim") return undefined;
  if (b === "edge" || b === "sim") return `${a} is a part: it must not import the wiring or the simulators`;
  if (a === "shared") return b === "shared" ? undefined : "shared modules import only shared modules";
  if (a === "kube") return b === "kube" || b === "shared" ? undefined : "kube/ is the source's HTTP library: it imports only itself and shared modules";
  if (b === "shared" || a === b) return undefined;
  if (b === "kube") return a === "source" ? undefined : "only the source talks to the API server";
  const ia = PATH.indexOf(a as (typeof PATH)[number]);
  const ib = PATH.indexOf(b as (typeof PATH)[number]);
  if (ib > ia) return `${a} comes before ${b} on source → status → signal → light → link: it must not import it`;
  return typeOnly ? undefined : `${a} may import only the types of ${b} (the agent's entry wires the values)`;
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:([\s\S]*?)\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4]!;
    if (!spec.startsWith(".")) continue;
    const names = m[2]?.match(/^\{([\s\S]*)\}$/)?.[1];
    const allTypes = names !== undefined && names.split(",").map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith("type "));
    const to = relative(AGENT, resolve(dirname(join(AGENT, file)), spec)).replaceAll("\\", "/");
    found.push({ from: file, to, typeOnly: m[1] !== undefined || allTypes });
  }
  return found;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.(ts|js|mjs)$/.test(name) ? [relative(AGENT, path).replaceAll("\\", "/")] : [];
  });
}

test("the import graph follows the design's arrows", () => {
  const files = walk(AGENT).filter((f) => !f.startsWith("sim/"));
  const imports = files.flatMap((f) => importsOf(f, readFileSync(join(AGENT, f), "utf8")));
  assert.ok(imports.length > 100, `imports found: ${imports.length}`);
  const wrong = imports.flatMap((i) => {
    const why = violation(i);
    return why ? [`${i.from} → ${i.to}${i.typeOnly ? " (types)" : ""}: ${why}`] : [];
  });
  assert.deepEqual(wrong, []);
});

test("the checker catches each kind of wrong arrow", () => {
  const cases: [Import, RegExp | undefined][] = [
    [{ from: "link/board.ts", to: "light/lamp.ts", typeOnly: true }, undefined],
    [{ from: "link/board.ts", to: "light/lamp.ts", typeOnly: false }, /only the types/],
    [{ from: "light/led-spec.ts", to: "cli/duration.ts", typeOnly: true }, /nothing imports cli/],
    [{ from: "log/logger.ts", to: "cli/escape.ts", typeOnly: false }, /nothing imports cli/],
    [{ from: "source/reflector.ts", to: "status/project.ts", typeOnly: false }, /before status/],
    [{ from: "signal/decide.ts", to: "link/board.ts", typeOnly: true }, /before link/],
    [{ from: "status/verdict.ts", to: "agent.ts", typeOnly: true }, /wiring/],
    [{ from: "signal/state.ts", to: "kube/client.ts", typeOnly: true }, /only the source/],
    [{ from: "shared/backoff.ts", to: "source/kinds.ts", typeOnly: true }, /only shared/],
    [{ from: "source/reflector.ts", to: "shared/backoff.ts", typeOnly: false }, undefined],
    [{ from: "demo/demo.ts", to: "agent.ts", typeOnly: false }, undefined],
    [{ from: "demo/demo.ts", to: "cli/config.ts", typeOnly: true }, /nothing imports cli/],
  ];
  for (const [imp, expected] of cases) {
    const why = violation(imp);
    if (expected === undefined) assert.equal(why, undefined, `${imp.from} → ${imp.to}`);
    else assert.match(why ?? "", expected, `${imp.from} → ${imp.to}`);
  }
  assert.deepEqual(
    importsOf("link/x.ts", 'import type { A } from "../light/a.ts";\nimport { type B, C } from "../light/b.ts";\nconst m = await import("../cli/main.ts");\n').map((i) => [i.to, i.typeOnly]),
    [["light/a.ts", true], ["light/b.ts", false], ["cli/main.ts", false]],
  );
});
