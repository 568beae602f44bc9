// What one light stands for: the objects it counts, as the lights file (or the single-light
// flags) describes them. Every field narrows; an absent or empty field narrows nothing. An
// object may count for several lights. Pure: parsing a `names` pattern, and the matcher the
// agent routes each object with (a few comparisons per light: the lights are at most eight, as
// many as the board's dead-man's switch has pins).
import type { Parsed } from "../shared/duration.ts";
import type { WatchedKind } from "./kinds.ts";
import { parseLabelSelector, type Labels } from "./selector.ts";

export interface LightScope {
  /** Only these namespaces; empty: all. */
  namespaces: readonly string[];
  /** A label selector as `kubectl -l` takes it; absent: any labels. */
  selector?: string;
  /** Only these kinds; absent: every watched kind. */
  kinds?: readonly WatchedKind[];
  /** `namespace/name` patterns, `*` matching any run of characters; empty: any name. */
  names: readonly string[];
  /** Kubeconfig context names; empty: every cluster the agent watches. */
  clusters: readonly string[];
}

/** What the matcher reads of an object (an ObjectView has all of it). */
export interface Candidate {
  kind: string;
  namespace: string;
  name: string;
  labels?: Labels;
}

export const ALL_OBJECTS: LightScope = { namespaces: [], names: [], clusters: [] };

const NAMESPACE_GLOB = /^[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?$/;
const NAME_GLOB = /^[a-z0-9*]([-.a-z0-9*]{0,251}[a-z0-9*])?$/;

/** A `names` entry: `namespace/name`, either side with `*` globs, e.g. `flux-system/apps-*`. */
export function parseNamePattern(text: string): Parsed<string> {
  const parts = text.split("/");
  const example = "namespace/name, * for any characters, e.g. flux-system/apps-*";
  if (parts.length !== 2) return { ok: false, error: `${JSON.stringify(text)} is not namespace/name: use ${example}` };
  const [ns, name] = parts as [string, string];
  if (!NAMESPACE_GLOB.test(ns)) return { ok: false, error: `${JSON.stringify(text)}: ${JSON.stringify(ns)} is not a namespace (lowercase letters, digits, '-', and * globs): use ${example}` };
  if (!NAME_GLOB.test(name)) return { ok: false, error: `${JSON.stringify(text)}: ${JSON.stringify(name)} is not an object name (lowercase letters, digits, '-', '.', and * globs): use ${example}` };
  return { ok: true, value: text };
}

/** The namespace a pattern can only match, when its namespace side has no glob. */
export function literalNamespace(pattern: string): string | undefined {
  const ns = pattern.slice(0, pattern.indexOf("/"));
  return ns.includes("*") ? undefined : ns;
}

/**
 * The namespaces a light can see anything in: its `namespaces`, else the namespaces its `names`
 * spell out (when every pattern spells one), else all (empty).
 */
export function namespacesOf(scope: LightScope): string[] {
  if (scope.namespaces.length) return [...new Set(scope.namespaces)];
  const literal = scope.names.map(literalNamespace);
  if (literal.length && literal.every((ns) => ns !== undefined)) return [...new Set(literal as string[])];
  return [];
}

function globRegExp(pattern: string): RegExp {
  const escaped = pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`);
}

/**
 * The light's membership test for one cluster's objects, or undefined when the light does not
 * cover `cluster` (undefined: the only cluster). Built once per light and cluster; called per event.
 */
export function scopeMatcher(scope: LightScope, cluster?: string): ((o: Candidate) => boolean) | undefined {
  if (scope.clusters.length && cluster !== undefined && !scope.clusters.includes(cluster)) return undefined;
  const namespaces = scope.namespaces.length ? new Set(scope.namespaces) : undefined;
  const kinds = scope.kinds ? new Set(scope.kinds.map((k) => k.kind)) : undefined;
  const names = scope.names.length ? scope.names.map(globRegExp) : undefined;
  let selector: ((labels: Labels | undefined) => boolean) | undefined;
  if (scope.selector !== undefined) {
    const parsed = parseLabelSelector(scope.selector);
    // The lights file and the flags refuse a bad selector before anything starts.
    if (!parsed.ok) throw new Error(`selector ${scope.selector}: ${parsed.error}`);
    selector = parsed.value.matches;
  }
  return (o) => {
    if (kinds && !kinds.has(o.kind)) return false;
    if (namespaces && !namespaces.has(o.namespace)) return false;
    if (names) {
      const full = `${o.namespace}/${o.name}`;
      if (!names.some((re) => re.test(full))) return false;
    }
    return selector === undefined || selector(o.labels);
  };
}

/** One list+watch the lights need: a namespace (absent: all) and, when every light that needs it agrees on one, the selector the server applies. */
export interface PlannedScope {
  namespace?: string;
  selector?: string;
}

/**
 * What to watch for these lights in one cluster: the union of their scopes, one list+watch per
 * (kind, namespace) however many lights overlap there. A light's selector goes to the API server
 * only when every light that watches the kind has the same one; otherwise the agent applies it
 * (and `names`, always). `kinds`: the union, absent when some light takes every kind.
 */
export function watchPlan(scopes: readonly LightScope[]): { kinds?: WatchedKind[]; namespaces: string[]; scopesOf(kind: string): PlannedScope[] } {
  const allKinds = scopes.some((s) => s.kinds === undefined);
  const kinds = allKinds ? undefined : [...new Map(scopes.flatMap((s) => s.kinds!).map((k) => [k.kind, k])).values()];
  const covering = (kind: string) => scopes.filter((s) => s.kinds === undefined || s.kinds.some((k) => k.kind === kind));
  const union = (of: readonly LightScope[]) => {
    const each = of.map(namespacesOf);
    return each.some((ns) => ns.length === 0) ? [] : [...new Set(each.flat())];
  };
  return {
    kinds,
    namespaces: union(scopes),
    scopesOf(kind) {
      const lights = covering(kind);
      const selectors = new Set(lights.map((s) => s.selector));
      const selector = selectors.size === 1 ? [...selectors][0] : undefined;
      const namespaces = union(lights);
      const of = (namespace?: string): PlannedScope => ({ ...(namespace === undefined ? {} : { namespace }), ...(selector === undefined ? {} : { selector }) });
      return namespaces.length ? namespaces.map(of) : [of()];
    },
  };
}
