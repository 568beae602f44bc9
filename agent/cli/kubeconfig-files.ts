// The kubeconfig files themselves, read as kubectl reads them: YAML, paths relative to each
// file's directory, and several files merged (the first file that names a cluster, user or
// context wins it, and the first current-context wins). ./kubeconfig.ts chooses the files and
// hands the merged document to client-node.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, sep } from "node:path";
import { load } from "js-yaml";

/** A bad flag or file: the CLI exits 2 with the message, which names the flag and field. */
export class UsageError extends Error {}

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** One file's entries, paths already made absolute against its directory. */
export interface Loaded {
  path: string;
  doc: Obj;
}

export function readKubeconfig(path: string, flag: string): Loaded {
  let doc: unknown;
  try {
    doc = load(readFileSync(path, "utf8"));
  } catch (err) {
    throw new UsageError(`${flag}: ${path} is not a readable kubeconfig: ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc === undefined || doc === null) doc = {};
  if (!isObj(doc)) throw new UsageError(`${flag}: ${path} is not a kubeconfig (expected a mapping with clusters, users and contexts)`);
  absolutePaths(doc, dirname(path));
  return { path, doc };
}

/** kubectl reads a relative path in a kubeconfig against that file's directory (clientcmd's ResolveLocalPaths). */
function absolutePaths(doc: Obj, base: string): void {
  const abs = (o: Obj, key: string) => {
    if (typeof o[key] === "string" && o[key] && !isAbsolute(o[key])) o[key] = join(base, o[key]);
  };
  for (const e of entries(doc, "clusters", "cluster")) abs(e, "certificate-authority");
  for (const u of entries(doc, "users", "user")) {
    for (const key of ["client-certificate", "client-key", "tokenFile"]) abs(u, key);
    // A command with a slash in it is a path (relative to the kubeconfig); a bare name is looked up in PATH.
    if (isObj(u.exec) && typeof u.exec.command === "string" && u.exec.command.includes(sep)) abs(u.exec, "command");
  }
}

function entries(doc: Obj, list: string, key: string): Obj[] {
  const v = doc[list];
  return Array.isArray(v) ? v.flatMap((e) => (isObj(e) && isObj(e[key]) ? [e[key]] : [])) : [];
}

export interface Where {
  file: string;
  field: string;
}

export interface Entry {
  name: string;
  value: Obj;
  at(field: string): Where;
}

export interface Merged {
  clusters: Entry[];
  users: Entry[];
  contexts: Entry[];
  currentContext?: string;
}

/** kubectl's merge: a name is taken from the first file that has it, and so is current-context. */
export function merge(files: Loaded[]): Merged {
  const out: Merged = { clusters: [], users: [], contexts: [] };
  for (const { path, doc } of files) {
    for (const list of ["clusters", "users", "contexts"] as const) {
      const v = doc[list];
      if (v === undefined || v === null) continue;
      if (!Array.isArray(v)) throw new UsageError(`${path}: ${list}: must be a list`);
      v.forEach((e, i) => {
        if (!isObj(e) || typeof e.name !== "string" || !e.name) throw new UsageError(`${path}: ${list}[${i}].name: is missing`);
        if (out[list].some((have) => have.name === e.name)) return;
        out[list].push({ name: e.name, value: e, at: (field) => ({ file: path, field: `${list}[${i}].${field}` }) });
      });
    }
    if (!out.currentContext && typeof doc["current-context"] === "string" && doc["current-context"]) out.currentContext = doc["current-context"];
  }
  return out;
}
