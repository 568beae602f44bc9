// The simulated etcd + registry: one global resourceVersion counter, an event history that
// watches resume from (until compacted), and the custom-resource write rules of
// kube-apiserver's customResourceStrategy and generic registry store.
import { randomUUID } from "node:crypto";
import { fluxKind, validateFluxObject, type FluxKind, type Json, type JsonObject } from "../flux/schema.ts";
import { CONTINUE_EXPIRED, alreadyExists, badRequest, conflict, expired, invalid, notFound, ApiError } from "./status.ts";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: EventType;
  kind: string;
  rv: number;
  object: JsonObject;
  /** The object before this event (MODIFIED/DELETED), for selector transitions and snapshots. */
  prev?: JsonObject;
}

export interface ObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export interface StoreOptions {
  initialResourceVersion?: number;
  /** Events retained for watch resumption; older ones are compacted away (as etcd does). */
  maxHistory?: number;
  now?: () => Date;
}

// Go's encoding/json writes map keys sorted, so every object read from a real server has
// sorted keys; canonicalising once on write keeps serialisation cheap and comparisons exact.
export function canonical<T extends Json>(v: T): T {
  if (Array.isArray(v)) return v.map(canonical) as T;
  if (v !== null && typeof v === "object") {
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as JsonObject)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out as T;
  }
  return v;
}

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject;
const kubeTime = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

function withoutMetaAndStatus(o: JsonObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

export class Store {
  private rv: number;
  private floorRv: number;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  // Every committed object's JSON, made once at the write, as kube-apiserver's watch cache keeps
  // serialized objects: lists and watches (one line per watcher) then copy bytes instead of
  // running JSON.stringify over ~5 KB objects per request, which made the simulator, not the
  // client, the slow side of a benchmark. Stored objects are never mutated after commit (every
  // write builds a new object and callers of ApiServer get copies), so the bytes stay true.
  private readonly bytes = new WeakMap<JsonObject, Buffer>();
  private readonly maxHistory: number;
  readonly now: () => Date;

  constructor(o: StoreOptions = {}) {
    this.rv = o.initialResourceVersion ?? 1000;
    this.floorRv = this.rv;
    this.maxHistory = o.maxHistory ?? 10_000;
    this.now = o.now ?? (() => new Date());
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** Watches and continue tokens from a resourceVersion below this get 410 Expired. */
  get floor(): number {
    return this.floorRv;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private bucket(kind: string): Map<string, JsonObject> {
    let b = this.objects.get(kind);
    if (!b) this.objects.set(kind, (b = new Map()));
    return b;
  }

  private kindOf(kind: string): FluxKind {
    const k = fluxKind(kind);
    if (!k) throw badRequest(`no kind "${kind}" is registered`);
    return k;
  }

  private commit(type: EventType, kind: string, object: JsonObject, prev?: JsonObject): JsonObject {
    this.snapshot = undefined; // what a list would see changed: no old objects kept alive
    this.rv++;
    const md = meta(object);
    md.resourceVersion = String(this.rv);
    const key = objectKey(md.namespace as string | undefined, String(md.name));
    this.bytes.set(object, Buffer.from(JSON.stringify(object)));
    if (type === "DELETED") this.bucket(kind).delete(key);
    else this.bucket(kind).set(key, object);
    const ev: StoreEvent = { type, kind, rv: this.rv, object, ...(prev ? { prev } : {}) };
    this.history.push(ev);
    if (this.history.length > this.maxHistory) this.floorRv = this.history.splice(0, this.history.length - this.maxHistory).at(-1)!.rv;
    for (const l of this.listeners) l(ev);
    return object;
  }

  private check(k: FluxKind, obj: JsonObject, validate: boolean): void {
    if (!validate) return;
    const errors = validateFluxObject(obj, { prune: true, applyDefaults: true });
    if (errors.length) throw invalid(k, String(meta(obj).name ?? ""), errors);
  }

  /** An object's JSON: the bytes made when it was committed, or made now for any other object. */
  encoded(o: JsonObject): Buffer {
    return this.bytes.get(o) ?? Buffer.from(JSON.stringify(o));
  }

  get(ref: ObjectRef): JsonObject | undefined {
    return this.objects.get(ref.kind)?.get(objectKey(ref.namespace, ref.name));
  }

  mustGet(ref: ObjectRef): JsonObject {
    const o = this.get(ref);
    if (!o) throw notFound(this.kindOf(ref.kind), ref.name);
    return o;
  }

  /** Current objects of a kind, sorted as etcd returns keys. */
  list(kind: string): JsonObject[] {
    return this.sortedAt(kind, this.rv).objects.slice();
  }

  /** The objects of a kind as they were at `rv` (etcd MVCC), for consistent paginated lists. */
  listAt(kind: string, rv: number): JsonObject[] {
    return this.sortedAt(kind, rv).objects.slice();
  }

  private snapshot: { kind: string; rv: number; keys: string[]; objects: JsonObject[] } | undefined;

  /**
   * A kind's objects at `rv` with their keys, in key order; read-only. The last one is kept: the
   * state at a resourceVersion never changes, and the pages of one list all ask for the same one,
   * so a paged list of n objects costs one sort, not one per page (etcd reads a key range).
   */
  sortedAt(kind: string, rv: number): { keys: string[]; objects: JsonObject[] } {
    if (rv < this.floorRv) throw expired(CONTINUE_EXPIRED);
    if (this.snapshot?.kind === kind && this.snapshot.rv === rv) return this.snapshot;
    const state = new Map((this.objects.get(kind) ?? new Map<string, JsonObject>()).entries());
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > rv; i--) {
      const ev = this.history[i]!;
      if (ev.kind !== kind) continue;
      const key = objectKey(meta(ev.object).namespace as string | undefined, String(meta(ev.object).name));
      if (ev.type === "ADDED") state.delete(key);
      else state.set(key, ev.prev!);
    }
    const entries = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.snapshot = { kind, rv, keys: entries.map(([k]) => k), objects: entries.map(([, o]) => o) };
    return this.snapshot;
  }

  /** Events of a kind after `rv`, or 410 Expired when the history no longer reaches back that far. */
  eventsSince(kind: string, rv: number): StoreEvent[] {
    if (rv < this.floorRv) throw expired(`too old resource version: ${rv} (${this.floorRv})`);
    return this.history.filter((e) => e.rv > rv && e.kind === kind);
  }

  /** Forget all history: every resourceVersion before now becomes too old to watch from. */
  compact(): void {
    this.snapshot = undefined;
    this.history = [];
    this.floorRv = this.rv;
  }

  /**
   * Create. `seed` keeps the given status and generation, as if the object had existed with
   * them; without it the real server's rules apply (generation 1, status dropped: "create
   * cannot set status" when the status subresource is enabled).
   */
  create(input: JsonObject, o: { seed?: boolean; validate?: boolean } = {}): JsonObject {
    const k = this.kindOf(String(input.kind));
    const obj = structuredClone(input);
    const md = (obj.metadata = { ...meta(obj) });
    if (md.resourceVersion !== undefined && md.resourceVersion !== "" && !o.seed) throw badRequest("resourceVersion should not be set on objects to be created");
    if (!o.seed) {
      delete obj.status;
      md.generation = 1;
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
    } else if (md.generation === undefined || (typeof md.generation !== "number" && (o.validate ?? true))) {
      // Unvalidated (createUnchecked), a generation of the wrong type stays: malformed-object tests.
      md.generation = 1;
    }
    md.uid = randomUUID();
    md.creationTimestamp = kubeTime(this.now());
    delete md.resourceVersion;
    this.check(k, obj, o.validate ?? true);
    if (this.get({ kind: k.kind, namespace: md.namespace as string, name: String(md.name) })) throw alreadyExists(k, String(md.name));
    return this.commit("ADDED", k.kind, canonical(obj));
  }

  /** Main-resource update (PUT): status changes are ignored, generation bumps on non-metadata changes. */
  update(input: JsonObject, o: { validate?: boolean } = {}): JsonObject {
    const k = this.kindOf(String(input.kind));
    const inMd = meta(input);
    const ref = { kind: k.kind, namespace: inMd.namespace as string | undefined, name: String(inMd.name) };
    const old = this.mustGet(ref);
    const oldMd = meta(old);
    if (inMd.resourceVersion !== undefined && inMd.resourceVersion !== "" && inMd.resourceVersion !== oldMd.resourceVersion) throw conflict(k, ref.name);
    const obj = structuredClone(input);
    const md = (obj.metadata = { ...inMd });
    for (const f of ["uid", "creationTimestamp", "generation", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"]) {
      if (oldMd[f] === undefined) delete md[f];
      else md[f] = oldMd[f]!;
    }
    if (old.status === undefined) delete obj.status;
    else obj.status = structuredClone(old.status);
    if (oldMd.deletionTimestamp) {
      const before = new Set((oldMd.finalizers as string[] | undefined) ?? []);
      const added = ((md.finalizers as string[] | undefined) ?? []).filter((f) => !before.has(f));
      if (added.length) throw invalid(k, ref.name, [`metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`]);
    }
    this.check(k, obj, o.validate ?? true);
    if (withoutMetaAndStatus(canonical(obj)) !== withoutMetaAndStatus(old)) md.generation = Number(oldMd.generation ?? 0) + 1;
    return this.write(k, canonical(obj), old);
  }

  /** Status-subresource update: only `status` is taken from the caller. */
  updateStatus(ref: ObjectRef, status: Json | undefined, o: { validate?: boolean; resourceVersion?: string } = {}): JsonObject {
    const k = this.kindOf(ref.kind);
    const old = this.mustGet(ref);
    if (o.resourceVersion && o.resourceVersion !== meta(old).resourceVersion) throw conflict(k, ref.name);
    // Stored objects are canonical JSON, so canonical() is a deep copy here, and ~4× cheaper
    // than structuredClone (which a benchmark burst of 50,000 status writes felt).
    const obj = canonical(old);
    if (status === undefined) delete obj.status;
    else obj.status = canonical(status);
    this.check(k, obj, o.validate ?? true);
    return this.write(k, canonical(obj), old);
  }

  private write(k: FluxKind, obj: JsonObject, old: JsonObject): JsonObject {
    const md = meta(obj);
    // A write that changes nothing is not persisted: no new resourceVersion, no event.
    md.resourceVersion = meta(old).resourceVersion!;
    const text = JSON.stringify(obj);
    const before = this.encoded(old);
    if (Buffer.byteLength(text) === before.length && before.toString() === text) return old;
    // Removing the last finalizer of a terminating object deletes it in the same request.
    if (md.deletionTimestamp && !((md.finalizers as string[] | undefined) ?? []).length) return this.commit("DELETED", k.kind, obj, old);
    return this.commit("MODIFIED", k.kind, obj, old);
  }

  /**
   * Delete: with finalizers, mark it (deletionTimestamp, grace 0, generation + 1, as the
   * registry's markAsDeleting does) and wait for them to be cleared; else remove it now.
   */
  delete(ref: ObjectRef): JsonObject {
    const k = this.kindOf(ref.kind);
    const old = this.mustGet(ref);
    const oldMd = meta(old);
    if (((oldMd.finalizers as string[] | undefined) ?? []).length) {
      if (oldMd.deletionTimestamp) return old;
      const obj = structuredClone(old);
      const md = meta(obj);
      md.deletionTimestamp = kubeTime(this.now());
      md.deletionGracePeriodSeconds = 0;
      md.generation = Number(oldMd.generation ?? 0) + 1;
      return this.commit("MODIFIED", k.kind, canonical(obj), old);
    }
    return this.commit("DELETED", k.kind, structuredClone(old), old);
  }

  /** Remove every object of a kind (its CRD was deleted), each with a DELETED event. */
  purge(kind: string): void {
    for (const o of this.list(kind)) this.commit("DELETED", kind, structuredClone(o), o);
  }
}

export { ApiError };
