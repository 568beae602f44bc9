// Label selectors as `kubectl -l` takes them (k8s.io/apimachinery labels.Parse): `a=b`, `a==b`,
// `a!=b`, `a`, `!a`, `a in (x,y)`, `a notin (x,y)`, `a>1`, `a<1`; a comma is AND. Parsed once,
// with one sentence for the first thing wrong, so that a bad selector is refused before anything
// starts; matched in the agent when several lights share one watch (a watch can carry one
// selector, and overlapping lights must not open a watch each). Pure.
import type { Parsed } from "../shared/duration.ts";

export type Labels = Readonly<Record<string, string>>;

export interface LabelSelector {
  /** The selector as written, for the API server's `labelSelector` and for log lines. */
  text: string;
  matches(labels: Labels | undefined): boolean;
}

type Requirement = (labels: Labels) => boolean;

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function parseLabelSelector(text: string): Parsed<LabelSelector> {
  if (text.trim() === "") return { ok: false, error: "is empty: expected a label selector such as app=web,tier!=db" };
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(text)) {
    const r = requirement(part);
    if (typeof r === "string") return { ok: false, error: `${JSON.stringify(text)} is not a label selector: ${r} (as kubectl -l, e.g. tier=platform,app!=db)` };
    requirements.push(r);
  }
  return { ok: true, value: { text, matches: (labels) => requirements.every((r) => r(labels ?? {})) } };
}

/** Commas outside parentheses separate requirements. */
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
  return parts.map((p) => p.trim());
}

/** One requirement, or a sentence saying what is wrong with it. */
function requirement(r: string): Requirement | string {
  if (r === "") return "an empty requirement (two commas, or one at an end)";
  let m = /^(\S+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(r);
  if (m) {
    const values = m[3]!.split(",").map((v) => v.trim());
    const bad = badKey(m[1]!) ?? (m[3]!.trim() === "" ? `${m[2]} () needs at least one value` : values.map(badValue).find(Boolean));
    if (bad) return bad;
    const k = m[1]!;
    const set = new Set(values);
    return m[2] === "in" ? (l) => k in l && set.has(l[k]!) : (l) => !(k in l) || !set.has(l[k]!);
  }
  m = /^([^=!<>\s()]+)\s*(==|=|!=|>|<)\s*([^=!<>\s(),]*)$/.exec(r);
  if (m) {
    const [, k, op, v] = m as unknown as [string, string, string, string];
    const bad = badKey(k) ?? (op === ">" || op === "<" ? (/^-?\d+$/.test(v) ? undefined : `${JSON.stringify(v)} after ${op} must be a whole number`) : badValue(v));
    if (bad) return bad;
    if (op === ">") return (l) => k in l && /^-?\d+$/.test(l[k]!) && Number(l[k]) > Number(v);
    if (op === "<") return (l) => k in l && /^-?\d+$/.test(l[k]!) && Number(l[k]) < Number(v);
    return op === "!=" ? (l) => l[k] !== v : (l) => l[k] === v;
  }
  m = /^(!?)\s*([^=!<>\s()]+)$/.exec(r);
  if (m) {
    const bad = badKey(m[2]!);
    if (bad) return bad;
    const k = m[2]!;
    return m[1] ? (l) => !(k in l) : (l) => k in l;
  }
  return `${JSON.stringify(r)} is not key=value, key!=value, key in (a,b), key notin (a,b), key or !key`;
}

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
function badKey(key: string): string | undefined {
  const slash = key.indexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `the key ${JSON.stringify(key)} has a prefix that is not a DNS subdomain`;
  if (name.length > 63 || !NAME.test(name)) return `the key ${JSON.stringify(key)} is not a label name (letters, digits, '-', '_', '.', at most 63, starting and ending with a letter or digit)`;
  return undefined;
}

function badValue(value: string): string | undefined {
  if (value === "" || (value.length <= 63 && NAME.test(value))) return undefined;
  return `the value ${JSON.stringify(value)} is not a label value (letters, digits, '-', '_', '.', at most 63, starting and ending with a letter or digit)`;
}
