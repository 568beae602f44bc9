// Runs the real synth into a temporary directory and reads back what it wrote.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { synth } from "../../charts/lib/app.ts";
import type { FluxLightProps } from "../../charts/lib/props.ts";

// Loose on purpose: tests reach into synthesized YAML and let assertions catch absent fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

export interface Rendered {
  text: Record<string, string>;
  objects: Obj[];
}

export function render(props: FluxLightProps = {}, delivery = false): Rendered {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-synth-"));
  try {
    const files = synth({ outdir: dir, props, delivery });
    const text = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const objects = Object.values(text).flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
    return { text, objects };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function one(objects: Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}
