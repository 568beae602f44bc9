// Label and field selectors as the API server parses them for list and watch requests.
// Label: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, comma = AND.
// Field: only `metadata.name` and `metadata.namespace`, all a custom resource supports by default.

export type Match = (labels: Record<string, string>, fields: { name: string; namespace: string }) => boolean;

export class SelectorError extends Error {}

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function key(k: string, whole: string): string {
  if (!KEY.test(k)) throw new SelectorError(`unable to parse requirement: invalid label key "${k}" in "${whole}"`);
  return k;
}

type Labels = Record<string, string>;

function requirement(r: string): (l: Labels) => boolean {
  let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(r);
  if (m) {
    const k = key(m[1]!, r);
    const values = new Set(m[3]!.split(",").map((v) => v.trim()));
    return m[2] === "in" ? (l) => k in l && values.has(l[k]!) : (l) => !(k in l) || !values.has(l[k]!);
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(r);
  if (m) {
    const k = key(m[1]!, r);
    const v = m[3]!;
    return m[2] === "!=" ? (l) => l[k] !== v : (l) => l[k] === v;
  }
  m = /^(!?)\s*([^=!\s()]+)$/.exec(r);
  if (m) {
    const k = key(m[2]!, r);
    return m[1] ? (l) => !(k in l) : (l) => k in l;
  }
  throw new SelectorError(`unable to parse requirement: found '${r}', expected: in, notin, =, ==, !=, gt, lt`);
}

export function labelSelector(s: string | null | undefined): (labels: Labels) => boolean {
  if (!s) return () => true;
  const reqs = splitTopLevel(s).map(requirement);
  return (l) => reqs.every((r) => r(l));
}

export function fieldSelector(s: string | null | undefined): (f: { name: string; namespace: string }) => boolean {
  if (!s) return () => true;
  const reqs = splitTopLevel(s).map((r) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(r);
    if (!m) throw new SelectorError(`invalid selector: '${s}'; can't understand '${r}'`);
    const field = m[1]!.trim();
    if (field !== "metadata.name" && field !== "metadata.namespace") throw new SelectorError(`field label not supported: ${field}`);
    const get = (f: { name: string; namespace: string }) => (field === "metadata.name" ? f.name : f.namespace);
    return m[2] === "!=" ? (f: { name: string; namespace: string }) => get(f) !== m[3] : (f: { name: string; namespace: string }) => get(f) === m[3];
  });
  return (f) => reqs.every((r) => r(f));
}

export function selector(labels: string | null | undefined, fields: string | null | undefined): Match {
  const l = labelSelector(labels);
  const f = fieldSelector(fields);
  return (ls, fs) => l(ls) && f(fs);
}
