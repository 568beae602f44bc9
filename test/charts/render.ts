// Runs the real synth into a temporary directory and reads back what it wrote.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { synth } from "../../charts/lib/app.ts";
import type { FluxLightProps } from "../../charts/lib/props.ts";
import type { FluxLightRemoteAccessProps } from "../../charts/lib/remote.ts";

// Loose on purpose: tests reach into synthesized YAML and let assertions catch absent fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

export interface Rendered {
  text: Record<string, string>;
  objects: Obj[];
}

export function render(props: FluxLightProps = {}, delivery = false, remoteAccess?: FluxLightRemoteAccessProps): Rendered {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-synth-"));
  try {
    const files = synth({ outdir: dir, props, delivery, ...(remoteAccess ? { remoteAccess } : {}) });
    const text = Object.fromEntries(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const objects = Object.values(text).flatMap((t) => parseAllDocuments(t).map((d) => d.toJS() as Obj));
    return { text, objects };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Only what `fluxlight-remote.k8s.yaml` holds: the grant to apply in a remote cluster. */
export function renderRemote(props: FluxLightRemoteAccessProps = {}): Obj[] {
  return parseAllDocuments(render({}, false, props).text["fluxlight-remote.k8s.yaml"] ?? "").map((d) => d.toJS() as Obj);
}

export function one(objects: Obj[], kind: string): Obj {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0];
}

/** Every leaf that differs between two synths, as `Kind/name.path: change`. */
export function diff(a: Obj[], b: Obj[]): string[] {
  const key = (o: Obj): string => `${o.kind}/${o.metadata.name}`;
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (x === undefined) return void out.push(`${path}: added`);
    if (y === undefined) return void out.push(`${path}: removed`);
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object") {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
      }
    } else if (x !== y) out.push(`${path}: ${JSON.stringify(x)} -> ${JSON.stringify(y)}`);
  };
  const bm = new Map(b.map((o) => [key(o), o]));
  for (const o of a) walk(o, bm.get(key(o)), key(o));
  for (const o of b) if (!a.some((x) => key(x) === key(o))) out.push(`${key(o)}: added`);
  return out;
}

/**
 * Whether the rendered RBAC lets the agent's subject make a request: a rule of a ClusterRole bound
 * by a ClusterRoleBinding, or of a Role bound in the request's namespace, naming its group,
 * resource and verb. As the API server decides it, for the rules the chart writes (no wildcards).
 */
export function rbacAllows(objects: Obj[], subject: Obj, req: { group: string; resource: string; verb: string; namespace?: string }): boolean {
  const bound = (b: Obj) => b.subjects.some((s: Obj) => s.kind === subject.kind && s.name === subject.name && (s.namespace ?? "") === (subject.namespace ?? ""));
  const rulesOf = (kind: string, name: string, namespace?: string): Obj[] => objects.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace)?.rules ?? [];
  const rules = [
    ...objects.filter((o) => o.kind === "ClusterRoleBinding" && bound(o)).flatMap((b) => rulesOf("ClusterRole", b.roleRef.name)),
    ...objects.filter((o) => o.kind === "RoleBinding" && bound(o) && req.namespace !== undefined && o.metadata.namespace === req.namespace).flatMap((b) => rulesOf("Role", b.roleRef.name, b.metadata.namespace)),
  ];
  return rules.some((r) => r.apiGroups.includes(req.group) && r.resources.includes(req.resource) && r.verbs.includes(req.verb));
}
