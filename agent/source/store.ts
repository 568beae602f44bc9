// The informer cache: what the source last saw, kept per scope, as client-go's Store. A scope is
// one list+watch: (cluster, kind, namespace or all, selector). A relist replaces exactly its own
// scope (Store.Replace) and reports the deletions inside it, never another scope's objects:
// `--namespace a --namespace b` are two scopes, and b's list says nothing about a. Pure data.
import { refKey, type ObjectRef } from "../model.ts";

/** One list+watch. `cluster` names a kubeconfig context once several clusters are watched. */
export interface Scope {
  cluster?: string;
  kind: string;
  /** Absent: every namespace. */
  namespace?: string;
  selector?: string;
}

/** Scopes are made once per reflector and passed with every event: their keys are kept, not rebuilt per event. */
const keys = new WeakMap<Scope, string>();

export function scopeKey(s: Scope): string {
  let key = keys.get(s);
  if (key === undefined) keys.set(s, (key = JSON.stringify([s.cluster ?? "", s.kind, s.namespace ?? "", s.selector ?? ""])));
  return key;
}

/** A scope in words, for log lines: `Kustomization in namespace a with labels app=web`. */
export function describeScope(s: Scope): string {
  const where = s.namespace ? `in namespace ${s.namespace}` : "in all namespaces";
  return `${s.kind} ${where}${s.selector ? ` with labels ${s.selector}` : ""}${s.cluster ? ` of ${s.cluster}` : ""}`;
}

/**
 * Items keyed by scope, then by object. An object may sit in two scopes (overlapping lights, later):
 * it is gone only when no scope holds it any more, so `deleted` lists only such objects.
 */
export class ScopedStore<T extends { ref: ObjectRef }> {
  private readonly scopes = new Map<string, Map<string, T>>();
  /** How many scopes hold each object. */
  private readonly holders = new Map<string, number>();

  /** A complete list of `scope`: it replaces what the scope held. Returns the objects gone from every scope. */
  replace(scope: Scope, items: readonly T[]): { deleted: ObjectRef[] } {
    const key = scopeKey(scope);
    const before = this.scopes.get(key) ?? new Map<string, T>();
    const after = new Map<string, T>();
    for (const item of items) after.set(refKey(item.ref), item);
    const deleted: ObjectRef[] = [];
    for (const [k, old] of before) {
      if (!after.has(k) && this.release(k)) deleted.push(old.ref);
    }
    for (const k of after.keys()) if (!before.has(k)) this.hold(k);
    this.scopes.set(key, after);
    return { deleted };
  }

  /** An object was added or modified within `scope`. */
  upsert(scope: Scope, item: T): void {
    const items = this.scope(scope);
    const k = refKey(item.ref);
    if (!items.has(k)) this.hold(k);
    items.set(k, item);
  }

  /** An object was deleted within `scope`: true when no scope holds it any more. */
  delete(scope: Scope, ref: ObjectRef): boolean {
    const items = this.scopes.get(scopeKey(scope));
    const k = refKey(ref);
    if (!items?.delete(k)) return false;
    return this.release(k);
  }

  /** The scope is no longer served (its CRD went away): forget it; returns the objects gone from every scope. */
  drop(scope: Scope): { deleted: ObjectRef[] } {
    const { deleted } = this.replace(scope, []);
    this.scopes.delete(scopeKey(scope));
    return { deleted };
  }

  /** Every object once, whichever scopes hold it. */
  *items(): IterableIterator<T> {
    const seen = new Set<string>();
    for (const items of this.scopes.values()) {
      for (const [k, item] of items) {
        if (seen.has(k)) continue;
        seen.add(k);
        yield item;
      }
    }
  }

  get size(): number {
    return this.holders.size;
  }

  private scope(scope: Scope): Map<string, T> {
    const key = scopeKey(scope);
    let items = this.scopes.get(key);
    if (!items) this.scopes.set(key, (items = new Map()));
    return items;
  }

  private hold(k: string): void {
    this.holders.set(k, (this.holders.get(k) ?? 0) + 1);
  }

  /** True when this was the last scope holding the object. */
  private release(k: string): boolean {
    const n = (this.holders.get(k) ?? 1) - 1;
    if (n > 0) {
      this.holders.set(k, n);
      return false;
    }
    this.holders.delete(k);
    return true;
  }
}
