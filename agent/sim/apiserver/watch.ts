// One watch stream: newline-delimited JSON events over a chunked 200 response, as the real
// server streams them (`Transfer-Encoding: chunked`, one `{"type","object"}` per line).
import type { ServerResponse } from "node:http";
import type { FluxKind, JsonObject } from "../flux/schema.ts";
import type { Match } from "./selector.ts";
import type { Store, StoreEvent } from "./store.ts";
import type { ApiError } from "./status.ts";

export interface WatchParams {
  kind: FluxKind;
  namespace?: string;
  match: Match;
  /** undefined or 0: start with synthetic ADDED events for what exists now. */
  resourceVersion?: number;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutMs: number;
  sendInitialEvents: boolean;
}

const meta = (o: JsonObject) => (o.metadata ?? {}) as JsonObject;
const NEWLINE = Buffer.from("}\n");
const EMPTY = Buffer.alloc(0);
// Lines held back for a burst go out in writes of about this size: few enough syscalls to keep
// up with any client, small enough that backpressure still paces them.
const BURST_WRITE_BYTES = 256 * 1024;

export class WatchStream {
  private readonly unsubscribe: () => void;
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  private lastObject?: JsonObject;
  private held?: Buffer[];
  onClose?: () => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly store: Store,
    private readonly p: WatchParams,
  ) {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.flushHeaders();
    res.on("close", () => this.finish());
    // Replay and subscription happen in one tick, so no write can fall between them.
    const initial = p.resourceVersion === undefined || p.resourceVersion === 0 || p.sendInitialEvents;
    let replay: StoreEvent[] = [];
    if (initial) {
      for (const o of store.list(p.kind.kind)) if (this.inScope(o)) this.send("ADDED", o);
      if (p.sendInitialEvents) this.bookmark(true);
    } else {
      replay = store.eventsSince(p.kind.kind, p.resourceVersion!);
    }
    for (const ev of replay) this.deliver(ev);
    this.unsubscribe = store.subscribe((ev) => ev.kind === p.kind.kind && this.deliver(ev));
    if (p.bookmarks) this.timers.push(setInterval(() => this.bookmark(false), p.bookmarkIntervalMs));
    this.timers.push(setTimeout(() => this.close(true), p.timeoutMs));
  }

  /** The ERROR event a watch from a compacted resourceVersion gets, then the end of the stream. */
  static expired(res: ServerResponse, err: ApiError): void {
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
    res.end(`${JSON.stringify({ type: "ERROR", object: err.status })}\n`);
  }

  private inScope(o: JsonObject): boolean {
    const md = meta(o);
    const ns = String(md.namespace ?? "");
    if (this.p.namespace && ns !== this.p.namespace) return false;
    return this.p.match((md.labels ?? {}) as Record<string, string>, { name: String(md.name), namespace: ns });
  }

  // A label change can move an object into or out of the selector: the watcher then sees it
  // ADDED or DELETED, as the watch cache's filtering does.
  private deliver(ev: StoreEvent): void {
    const now = this.inScope(ev.object);
    const before = ev.prev ? this.inScope(ev.prev) : false;
    if (ev.type === "ADDED") {
      if (now) this.send("ADDED", ev.object);
    } else if (ev.type === "DELETED") {
      if (before || now) this.send("DELETED", ev.object);
    } else if (now && before) this.send("MODIFIED", ev.object);
    else if (now) this.send("ADDED", ev.object);
    else if (before) this.send("DELETED", { ...ev.prev!, metadata: { ...meta(ev.prev!), resourceVersion: String(ev.rv) } });
  }

  // The same bytes JSON.stringify({ type, object }) makes, around the object's stored JSON.
  private send(type: string, object: JsonObject): void {
    if (this.closed) return;
    this.lastObject = object;
    const line = Buffer.concat([Buffer.from(`{"type":${JSON.stringify(type)},"object":`), this.store.encoded(object), NEWLINE]);
    if (this.held) this.held.push(line);
    else this.res.write(line);
  }

  /** Raw text into the stream, in order with the events (a proxy's or a broken server's bytes). */
  writeRaw(text: string): void {
    if (this.closed) return;
    if (this.held) this.held.push(Buffer.from(text));
    else this.res.write(text);
  }

  /** Keep event lines back (in order) until release(): a burst written at once. */
  hold(): void {
    this.held ??= [];
  }

  /** Lines held back now. */
  get heldLines(): number {
    return this.held?.length ?? 0;
  }

  /**
   * Write the held lines as fast as the socket takes them (waiting on backpressure), then go
   * back to writing each event as it comes; events meanwhile queue behind the held ones.
   */
  async release(): Promise<void> {
    const held = this.held;
    if (!held) return;
    let i = 0;
    while (i < held.length && !this.closed) {
      const batch: Buffer[] = [];
      let size = 0;
      while (i < held.length && size < BURST_WRITE_BYTES) {
        size += held[i]!.length;
        batch.push(held[i]!);
        held[i++] = EMPTY; // a burst of 50,000 lines is ≈ 250 MB: let each go once written
      }
      if (!this.res.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size))) {
        await new Promise<void>((resolve) => {
          const done = () => (this.res.off("drain", done), this.res.off("close", done), resolve());
          this.res.on("drain", done);
          this.res.on("close", done);
        });
      }
    }
    this.held = undefined;
  }

  private bookmark(initialEnd: boolean): void {
    if (this.closed) return;
    const metadata: JsonObject = { resourceVersion: String(this.store.resourceVersion), creationTimestamp: null };
    if (initialEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
    this.send("BOOKMARK", { kind: this.p.kind.kind, apiVersion: `${this.p.kind.group}/${this.p.kind.version}`, metadata });
  }

  /**
   * End the stream. graceful: a clean end of the chunked body, as at `timeoutSeconds`.
   * Otherwise the connection is cut; `midEvent` first writes half of an event line, as a
   * connection lost mid-write leaves it.
   */
  close(graceful: boolean, midEvent = false): void {
    if (this.closed) return;
    if (graceful) {
      this.finish();
      this.res.end();
      return;
    }
    if (midEvent) {
      const line = JSON.stringify({ type: "MODIFIED", object: this.lastObject ?? { kind: this.p.kind.kind, metadata: { resourceVersion: String(this.store.resourceVersion) } } });
      this.res.write(line.slice(0, Math.max(1, Math.floor(line.length / 2))));
    }
    this.finish();
    // Let the half-written chunk reach the socket before the connection drops.
    const socket = this.res.socket;
    if (socket) socket.end(() => socket.destroy());
    else this.res.destroy();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.onClose?.();
  }
}
