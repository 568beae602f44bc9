// A local Kubernetes API server serving the Flux kinds, for tests and `fluxlight demo`: what
// @kubernetes/client-node's list, watch, CRUD and discovery calls touch, with the real
// server's semantics and failure shapes (401, 403, 404 without CRD, 409, 410, 422).
// HTTP on 127.0.0.1 (HTTPS with the tls option). Not modelled: namespaces as objects, managedFields bookkeeping,
// CEL validation rules, server-side apply, protobuf, aggregated discovery.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { TLSSocket } from "node:tls";
import type { Socket } from "node:net";
import { BUILTIN_KINDS, FLUX_KINDS, fluxKind, type FluxKind, type Json, type JsonObject } from "../flux/schema.ts";
import { CORE_V1, VERSION_INFO, apiGroup, apiGroupList, apiResourceList, apiVersions } from "./discovery.ts";
import { applyPatch } from "./patch.ts";
import { SelectorError, selector } from "./selector.ts";
import { ApiError, CONTINUE_EXPIRED, badRequest, expired, forbidden, methodNotAllowed, notFoundPath, unauthorized } from "./status.ts";
import { Store, canonical, objectKey, type ObjectRef } from "./store.ts";
import { WatchStream } from "./watch.ts";
import { writeKubeconfig, type KubeconfigOptions } from "./kubeconfig.ts";

export type { ObjectRef };
export { writeKubeconfig, type KubeconfigOptions };

export const DEFAULT_USER = "system:serviceaccount:fluxlight:fluxlight";

export interface ApiServerOptions {
  port?: number; // 0 (default): any free port, kept across stop()/start()
  token?: string;
  user?: string; // the identity the token authenticates as, named in 403 messages
  /** Kinds whose CRDs are installed at start; default every Flux kind. */
  crds?: string[];
  /** How often a watch with allowWatchBookmarks gets a BOOKMARK; the real server: ~1 min. */
  bookmarkIntervalMs?: number;
  /** Watch length when the client sets no timeoutSeconds; the real server: 30-60 min. */
  defaultWatchTimeoutMs?: number;
  maxHistory?: number;
  initialResourceVersion?: number;
  now?: () => Date;
  /** Serve HTTPS with this key and certificate; with `clientCa`, a client certificate it signed also authenticates (as its CN). */
  tls?: { key: string | Buffer; cert: string | Buffer; clientCa?: string | Buffer | (string | Buffer)[] };
}

/** A 403 rule; an omitted field matches anything. `namespace: ""` matches cluster-scope requests only. */
export interface ForbidRule {
  group?: string;
  resource?: string;
  verb?: string;
  namespace?: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  verb: string;
  kind?: string;
  namespace?: string;
  status: number;
  /** Who the request authenticated as: the client certificate's CN, "token", or undefined (anonymous or refused). */
  user?: string;
  /** The Impersonate-User header, as kube-apiserver reads it. */
  impersonate?: string;
  /** The TLS server name (SNI) the client asked for. */
  serverName?: string;
}

export interface ServerStats {
  openWatches: number;
  watchesStarted: number;
  requests: RequestRecord[];
  /** Requests per `VERB path` (VERB: list, watch, get, create, ...; discovery: GET). */
  byPath: Record<string, number>;
}

interface Route {
  kind: FluxKind;
  namespace?: string;
  name?: string;
  subresource?: string;
}

interface ContinueToken {
  rv: number;
  start: string;
}

const COMMA = Buffer.from(",");
const PATH = /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+)(?:\/([^/]+))?)?$/;

/** `body`: a value to serialize, plain text, or JSON already serialized (a Buffer). */
function send(res: ServerResponse, code: number, body: Json | string | Buffer): void {
  const data = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": typeof body === "string" ? "text/plain; charset=utf-8" : "application/json", "Content-Length": Buffer.byteLength(data) });
  res.end(data);
}

/** A 200 JSON body written as the pieces it is made of: a page is megabytes, and one copy of it is a fresh allocation the size of the page. */
function sendParts(res: ServerResponse, parts: Buffer[]): void {
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": parts.reduce((n, p) => n + p.length, 0) });
  res.cork();
  for (const p of parts) res.write(p);
  res.end();
  res.uncork();
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json;
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: ${(e as Error).message}`);
  }
}

export class ApiServer {
  readonly store: Store;
  private server?: Server;
  private portNumber: number;
  private token: string;
  private user: string;
  private readonly installed = new Set<string>();
  private readonly rules: ForbidRule[] = [];
  private readonly watches = new Set<WatchStream>();
  private readonly sockets = new Set<Socket>();
  private readonly watchKinds = new Map<WatchStream, string>();
  private records: RequestRecord[] = [];
  private watchesStarted = 0;
  private readonly bookmarkIntervalMs: number;
  private readonly defaultWatchTimeoutMs: number | undefined;
  private readonly tls: ApiServerOptions["tls"];
  private interceptors: ((req: IncomingMessage, res: ServerResponse, url: URL) => boolean)[] = [];
  /** While silent: the requests that arrived, to be served on heal(). */
  private silent?: (() => void)[];

  constructor(o: ApiServerOptions = {}) {
    this.tls = o.tls;
    this.portNumber = o.port ?? 0;
    this.token = o.token ?? "fluxlight-sim-token";
    this.user = o.user ?? DEFAULT_USER;
    this.bookmarkIntervalMs = o.bookmarkIntervalMs ?? 60_000;
    this.defaultWatchTimeoutMs = o.defaultWatchTimeoutMs;
    this.store = new Store({ maxHistory: o.maxHistory, initialResourceVersion: o.initialResourceVersion, now: o.now });
    for (const k of o.crds ?? FLUX_KINDS.map((k) => k.kind)) this.installCrd(k);
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Listen on 127.0.0.1 (again on the same port after stop(): an API server restart). */
  async start(): Promise<this> {
    if (this.server) return this;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res);
    const tls = this.tls;
    const server: Server = tls
      ? createHttpsServer({ key: tls.key, cert: tls.cert, ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}) }, handler)
      : createServer(handler);
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.portNumber, "127.0.0.1", () => resolve());
    });
    const addr = server.address();
    if (addr && typeof addr === "object") this.portNumber = addr.port;
    this.server = server;
    return this;
  }

  /** Stop listening and cut every connection, watches included (the API server went down). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.silent = undefined;
    for (const w of [...this.watches]) w.close(false);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `${this.tls ? "https" : "http"}://127.0.0.1:${this.portNumber}`;
  }

  /** Write a kubeconfig for this server (default: its URL and current token). */
  writeKubeconfig(path: string, o: Partial<KubeconfigOptions> = {}): void {
    writeKubeconfig(path, { server: this.url, token: this.token, ...o });
  }

  // ---- cluster shape ---------------------------------------------------------------------

  installCrd(kind: string): void {
    const k = fluxKind(kind);
    if (!k) throw new Error(`unknown Flux kind ${kind}`);
    this.installed.add(k.kind);
  }

  /** Delete the CRD: its objects go (DELETED events), its watches end, its paths 404. */
  removeCrd(kind: string): void {
    if (!this.installed.delete(kind)) return;
    this.store.purge(kind);
    for (const [w, k] of this.watchKinds) if (k === kind) w.close(true);
  }

  installedKinds(): FluxKind[] {
    return FLUX_KINDS.filter((k) => this.installed.has(k.kind));
  }

  /** What the server serves: the installed Flux kinds and the built-in Lease and Deployment. */
  private servedKinds(): FluxKind[] {
    return [...this.installedKinds(), ...BUILTIN_KINDS];
  }

  /**
   * A network partition as the client sees it: connections stay open and new ones are
   * accepted, but no byte comes back — no answer to any request, no event or bookmark on any
   * open watch, no FIN, no RST. `heal()` lets everything through that was held, as TCP would
   * once the path is back (a client that gave up meanwhile has closed its end).
   */
  silence(): void {
    if (this.silent) return;
    this.silent = [];
    for (const w of this.watches) w.hold();
  }

  heal(): void {
    const stalled = this.silent;
    if (!stalled) return;
    this.silent = undefined;
    for (const w of this.watches) void w.release();
    for (const go of stalled) go();
  }

  get isSilent(): boolean {
    return this.silent !== undefined;
  }

  forbid(rule: ForbidRule): void {
    this.rules.push({ ...rule });
  }

  /**
   * Make every new watch misbehave at once: `close` answers 200 and ends the stream with no
   * event (a proxy that cuts streams), `error` sends one ERROR event (500) and ends; undefined:
   * watches work again. For the "very short watch" rule: such a server must not be asked
   * thousands of times a second.
   */
  breakWatches(how: "close" | "error" | undefined): void {
    this.brokenWatches = how;
  }

  private brokenWatches: "close" | "error" | undefined;

  /** Lift forbid rules: all of them, or those equal to `rule`. */
  allow(rule?: ForbidRule): void {
    for (let i = this.rules.length - 1; i >= 0; i--) if (!rule || JSON.stringify(this.rules[i]) === JSON.stringify({ ...rule })) this.rules.splice(i, 1);
  }

  /** Change the accepted bearer token (rotation, revocation): other tokens get 401 from now on. */
  setToken(token: string, user?: string): void {
    this.token = token;
    if (user) this.user = user;
  }

  // ---- in-process control API (no auth, no RBAC; same store rules as HTTP) ----------------

  private needCrd(kind: string): void {
    if (!this.installed.has(kind) && !BUILTIN_KINDS.some((k) => k.kind === kind)) throw notFoundPath();
  }

  /**
   * Add an object as if it already existed with the given status and generation (one ADDED
   * event), after CRD pruning, defaulting and validation (422 ApiError when invalid).
   * HTTP POST instead follows the real create rules (generation 1, status dropped).
   */
  create(obj: JsonObject): JsonObject {
    this.needCrd(String(obj.kind));
    return structuredClone(this.store.create(obj, { seed: true }));
  }

  /**
   * Add an object WITHOUT validation, defaulting or pruning. It stands for what a broken
   * conversion webhook, an older stored API version or a buggy controller could deliver:
   * use it only for malformed-object tests. A real API server would never accept it.
   */
  createUnchecked(obj: JsonObject): JsonObject {
    this.needCrd(String(obj.kind));
    return structuredClone(this.store.create(obj, { seed: true, validate: false }));
  }

  /** Replace spec/metadata (status ignored, as on PUT); generation bumps when spec changes. */
  update(obj: JsonObject): JsonObject {
    this.needCrd(String(obj.kind));
    return structuredClone(this.store.update(obj));
  }

  /** Replace the status through the status subresource, as a controller does. */
  updateStatus(ref: ObjectRef, status: Json | undefined): JsonObject {
    this.needCrd(ref.kind);
    return structuredClone(this.store.updateStatus(this.ref(ref), status));
  }

  /** JSON-merge-patch the status through the status subresource. */
  patchStatus(ref: ObjectRef, patch: JsonObject): JsonObject {
    const cur = this.store.mustGet(this.ref(ref));
    const merged = applyPatch({ status: cur.status ?? {} }, "application/merge-patch+json", { status: patch });
    return this.updateStatus(ref, merged.status);
  }

  /** Delete: with finalizers the object is marked (MODIFIED) until an update clears them. */
  delete(ref: ObjectRef): JsonObject {
    this.needCrd(ref.kind);
    return structuredClone(this.store.delete(this.ref(ref)));
  }

  /** Clear the finalizers of a terminating object, as its controller does; it is then DELETED. */
  removeFinalizers(ref: ObjectRef): void {
    const cur = structuredClone(this.store.mustGet(this.ref(ref)));
    (cur.metadata as JsonObject).finalizers = [];
    this.store.update(cur);
  }

  get(ref: ObjectRef): JsonObject | undefined {
    const o = this.store.get(this.ref(ref));
    return o && structuredClone(o);
  }

  list(kind: string, namespace?: string): JsonObject[] {
    return this.store.list(kind).filter((o) => !namespace || (o.metadata as JsonObject).namespace === namespace).map((o) => structuredClone(o));
  }

  get resourceVersion(): string {
    return String(this.store.resourceVersion);
  }

  /** Drop the event history: any older resourceVersion now gets 410 Expired. */
  compact(): void {
    this.store.compact();
  }

  /**
   * Cut every open watch stream (a load balancer or apiserver dropping connections).
   * midEvent: half an event line is written first. graceful: end the body cleanly instead
   * (what a watch's timeoutSeconds does). Returns how many were cut.
   */
  dropWatches(o: { midEvent?: boolean; graceful?: boolean } = {}): number {
    const all = [...this.watches];
    for (const w of all) w.close(o.graceful ?? false, o.midEvent ?? false);
    return all.length;
  }

  /**
   * A burst for benchmarks: the writes `writes` makes are committed now (resourceVersions, the
   * history, lists: all as usual), but every open watch holds their event lines back until
   * `release()`, which writes them into each watch as fast as its socket takes them. The client
   * then sees exactly what these writes would have sent, only without the simulator's per-write
   * work between the lines. Returns how many lines are held (over all watches).
   */
  prepareBurst(writes: () => void): { lines: number; release(): Promise<void> } {
    const held = [...this.watches];
    for (const w of held) w.hold();
    try {
      writes();
    } catch (e) {
      void Promise.all(held.map((w) => w.release()));
      throw e;
    }
    const lines = held.reduce((n, w) => n + w.heldLines, 0);
    return { lines, release: async () => void (await Promise.all(held.map((w) => w.release()))) };
  }

  /**
   * What a broken or hostile proxy in front of the server could do: `hook` sees each request
   * first and answers it itself by returning true. Returns a function that removes the hook.
   */
  intercept(hook: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean): () => void {
    this.interceptors.push(hook);
    return () => {
      this.interceptors = this.interceptors.filter((h) => h !== hook);
    };
  }

  /** Write `text` as it is into every open watch stream, or only those of `kinds` (hostile lines between real events). Returns how many. */
  injectWatchText(text: string, kinds?: readonly string[]): number {
    let n = 0;
    for (const w of this.watches) {
      if (kinds && !kinds.includes(this.watchKinds.get(w) ?? "")) continue;
      w.writeRaw(text);
      n++;
    }
    return n;
  }

  get stats(): ServerStats {
    const byPath: Record<string, number> = {};
    for (const r of this.records) byPath[`${r.verb} ${r.path}`] = (byPath[`${r.verb} ${r.path}`] ?? 0) + 1;
    return { openWatches: this.watches.size, watchesStarted: this.watchesStarted, requests: [...this.records], byPath };
  }

  /** How many requests matched, e.g. `count({ verb: "list", kind: "Kustomization" })`. */
  count(f: Partial<Pick<RequestRecord, "verb" | "kind" | "namespace" | "method" | "status">>): number {
    return this.records.filter((r) => Object.entries(f).every(([k, v]) => r[k as keyof RequestRecord] === v)).length;
  }

  resetStats(): void {
    this.records = [];
    this.watchesStarted = 0;
  }

  private ref(r: ObjectRef): ObjectRef {
    const k = fluxKind(r.kind);
    return { kind: r.kind, namespace: k?.namespaced ? (r.namespace ?? "flux-system") : undefined, name: r.name };
  }

  // ---- HTTP ------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.silent) {
      this.silent.push(() => void (!res.destroyed && this.handle(req, res)));
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const rec: RequestRecord = { method: req.method ?? "GET", path: url.pathname, query: url.search, verb: req.method ?? "GET", status: 200 };
    const impersonate = req.headers["impersonate-user"];
    if (typeof impersonate === "string") rec.impersonate = impersonate;
    if (req.socket instanceof TLSSocket) rec.serverName = (req.socket as TLSSocket & { servername?: string | false }).servername || undefined;
    this.records.push(rec);
    for (const hook of this.interceptors) if (hook(req, res, url)) return;
    try {
      rec.user = this.authenticate(req, url.pathname);
      const m = PATH.exec(url.pathname);
      if (!m) return this.discovery(url.pathname, res);
      const route = this.route(m);
      rec.kind = route.kind.kind;
      rec.namespace = route.namespace;
      rec.verb = this.verb(req.method ?? "GET", route, url);
      this.authorize(route, rec.verb);
      await this.resource(req, res, url, route, rec.verb);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError(500, "InternalError", `Internal error occurred: ${(e as Error).message}`);
      rec.status = err.code;
      if (!res.headersSent) send(res, err.code, err.status);
      else res.destroy();
      return;
    }
    rec.status = res.statusCode;
  }

  /** Who the request is from ("token", a certificate's CN), undefined for anonymous; throws 401 otherwise. */
  private authenticate(req: IncomingMessage, path: string): string | undefined {
    const auth = req.headers.authorization;
    // Anonymous requests may read /version and health endpoints, as system:public-info-viewer allows.
    if (!auth && ["/version", "/healthz", "/livez", "/readyz"].includes(path)) return undefined;
    // A client certificate signed by the client CA authenticates, as kube-apiserver's --client-ca-file does.
    if (!auth && req.socket instanceof TLSSocket && req.socket.authorized) return String(req.socket.getPeerCertificate().subject?.CN ?? "");
    if (auth !== `Bearer ${this.token}`) throw unauthorized();
    return "token";
  }

  private discovery(path: string, res: ServerResponse): void {
    const installed = this.servedKinds();
    if (path === "/version") return send(res, 200, VERSION_INFO);
    if (path === "/healthz" || path === "/livez" || path === "/readyz") return send(res, 200, "ok");
    if (path === "/api") return send(res, 200, apiVersions(`127.0.0.1:${this.portNumber}`));
    if (path === "/api/v1") return send(res, 200, CORE_V1);
    if (path === "/apis") return send(res, 200, apiGroupList(installed));
    const parts = path.split("/").filter(Boolean);
    const doc = parts.length === 2 ? apiGroup(installed, parts[1]!) : parts.length === 3 ? apiResourceList(installed, parts[1]!, parts[2]!) : undefined;
    if (parts[0] === "apis" && doc) return send(res, 200, doc);
    throw notFoundPath();
  }

  private route(m: RegExpExecArray): Route {
    const [, group, version, namespace, plural, name, subresource] = m;
    const kind = this.servedKinds().find((k) => k.group === group && k.version === version && k.plural === plural);
    if (!kind) throw notFoundPath();
    // A namespaced kind has no cluster-scoped item paths; only the all-namespaces collection.
    if (!namespace && name !== undefined && kind.namespaced) throw notFoundPath();
    if (subresource !== undefined && subresource !== "status") throw notFoundPath();
    return { kind, namespace: namespace ? decodeURIComponent(namespace) : undefined, name: name ? decodeURIComponent(name) : undefined, subresource };
  }

  private verb(method: string, r: Route, url: URL): string {
    const watch = url.searchParams.get("watch");
    if (method === "GET") return r.name ? "get" : watch === "1" || watch === "true" ? "watch" : "list";
    if (method === "POST") return "create";
    if (method === "PUT") return "update";
    if (method === "PATCH") return "patch";
    if (method === "DELETE") return r.name ? "delete" : "deletecollection";
    return method.toLowerCase();
  }

  private authorize(r: Route, verb: string): void {
    for (const rule of this.rules) {
      if (rule.group !== undefined && rule.group !== r.kind.group) continue;
      if (rule.resource !== undefined && rule.resource !== r.kind.plural && rule.resource !== `${r.kind.plural}/${r.subresource}`) continue;
      if (rule.verb !== undefined && rule.verb !== verb) continue;
      if (rule.namespace !== undefined && rule.namespace !== (r.namespace ?? "")) continue;
      throw forbidden(r.kind, this.user, verb, r.namespace, r.name, r.subresource);
    }
  }

  private async resource(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, verb: string): Promise<void> {
    const k = r.kind;
    const ref = () => ({ kind: k.kind, namespace: r.namespace, name: r.name! });
    switch (verb) {
      case "list":
        return sendParts(res, this.listBody(r, url));
      case "watch":
        return this.watch(res, r, url);
      case "get":
        return send(res, 200, this.store.encoded(this.store.mustGet(ref())));
      case "create": {
        const body = this.bodyObject(await readJson(req), r);
        return send(res, 201, this.store.encoded(this.store.create(body)));
      }
      case "update": {
        const body = this.bodyObject(await readJson(req), r);
        if (r.subresource === "status") return send(res, 200, this.store.encoded(this.store.updateStatus(ref(), body.status, { resourceVersion: (body.metadata as JsonObject).resourceVersion as string | undefined })));
        return send(res, 200, this.store.encoded(this.store.update(body)));
      }
      case "patch": {
        const cur = this.store.mustGet(ref());
        const patched = applyPatch(cur, req.headers["content-type"], await readJson(req));
        if (r.subresource === "status") return send(res, 200, this.store.encoded(this.store.updateStatus(ref(), patched.status, { resourceVersion: (patched.metadata as JsonObject | undefined)?.resourceVersion as string | undefined })));
        return send(res, 200, this.store.encoded(this.store.update(patched)));
      }
      case "delete":
        return send(res, 200, this.store.encoded(this.store.delete(ref())));
      default:
        throw methodNotAllowed();
    }
  }

  private bodyObject(body: Json, r: Route): JsonObject {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the object provided is unrecognized");
    const md = (body.metadata ?? {}) as JsonObject;
    if (r.name !== undefined && md.name !== r.name) throw badRequest(`the name of the object (${String(md.name)}) does not match the name on the URL (${r.name})`);
    if (r.namespace !== undefined) {
      if (md.namespace !== undefined && md.namespace !== r.namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      body.metadata = { ...md, namespace: r.namespace };
    }
    return body;
  }

  private matcher(url: URL) {
    try {
      return selector(url.searchParams.get("labelSelector"), url.searchParams.get("fieldSelector"));
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  private listBody(r: Route, url: URL): Buffer[] {
    const match = this.matcher(url);
    const limit = Number(url.searchParams.get("limit") ?? 0);
    const cont = url.searchParams.get("continue");
    let token: ContinueToken | undefined;
    if (cont) {
      try {
        token = JSON.parse(Buffer.from(cont, "base64").toString("utf8")) as ContinueToken;
        if (typeof token.rv !== "number" || typeof token.start !== "string") throw new Error();
      } catch {
        throw badRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
      }
      if (token.rv < this.store.floor) throw expired(CONTINUE_EXPIRED);
    }
    const rv = token?.rv ?? this.store.resourceVersion;
    const { keys, objects } = this.store.sortedAt(r.kind.kind, rv);
    // The page starts at the token's key, found by bisection as etcd seeks a key range.
    let from = 0;
    if (token) for (let hi = keys.length; from < hi; ) {
      const mid = (from + hi) >>> 1;
      if (keys[mid]! < token.start) from = mid + 1;
      else hi = mid;
    }
    const selected = (o: JsonObject) => {
      const md = o.metadata as JsonObject;
      if (r.namespace && md.namespace !== r.namespace) return false;
      return match((md.labels ?? {}) as Record<string, string>, { name: String(md.name), namespace: String(md.namespace ?? "") });
    };
    const page: JsonObject[] = [];
    let i = from;
    for (; i < objects.length && (limit <= 0 || page.length < limit); i++) if (selected(objects[i]!)) page.push(objects[i]!);
    let remaining = 0;
    for (let j = i; j < objects.length; j++) if (selected(objects[j]!)) remaining++;
    const metadata: JsonObject = { resourceVersion: String(rv) };
    if (limit > 0 && remaining > 0) {
      const lastMd = page.at(-1)!.metadata as JsonObject;
      const next: ContinueToken = { rv, start: `${objectKey(lastMd.namespace as string | undefined, String(lastMd.name))}\u0000` };
      metadata.continue = Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", ...next })).toString("base64");
      // The real server omits the count when a selector filtered the list.
      if (!url.searchParams.get("labelSelector") && !url.searchParams.get("fieldSelector")) metadata.remainingItemCount = remaining;
    }
    // The bytes JSON.stringify({ apiVersion, items, kind, metadata }) makes, with each item's
    // JSON as the store keeps it (serialized once, at its write).
    const parts: Buffer[] = [Buffer.from(`{"apiVersion":${JSON.stringify(`${r.kind.group}/${r.kind.version}`)},"items":[`)];
    page.forEach((o, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(this.store.encoded(o));
    });
    parts.push(Buffer.from(`],"kind":${JSON.stringify(r.kind.listKind)},"metadata":${JSON.stringify(canonical(metadata))}}`));
    return parts;
  }

  private watch(res: ServerResponse, r: Route, url: URL): void {
    if (this.brokenWatches) {
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
      const error = { type: "ERROR", object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "etcdserver: request timed out", reason: "InternalError", code: 500 } };
      res.end(this.brokenWatches === "error" ? `${JSON.stringify(error)}\n` : undefined);
      return;
    }
    const match = this.matcher(url);
    const rvParam = url.searchParams.get("resourceVersion");
    const rv = rvParam === null || rvParam === "" ? undefined : Number(rvParam);
    if (rv !== undefined && !Number.isInteger(rv)) throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
    const timeoutSeconds = url.searchParams.get("timeoutSeconds");
    const timeoutMs = timeoutSeconds ? Number(timeoutSeconds) * 1000 : (this.defaultWatchTimeoutMs ?? (1800 + Math.random() * 1800) * 1000);
    if (rv !== undefined && rv !== 0 && rv < this.store.floor) {
      try {
        this.store.eventsSince(r.kind.kind, rv);
      } catch (e) {
        if (e instanceof ApiError) return WatchStream.expired(res, e);
        throw e;
      }
    }
    const w = new WatchStream(res, this.store, {
      kind: r.kind,
      namespace: r.namespace,
      match,
      resourceVersion: rv,
      bookmarks: ["1", "true"].includes(url.searchParams.get("allowWatchBookmarks") ?? ""),
      bookmarkIntervalMs: this.bookmarkIntervalMs,
      timeoutMs,
      sendInitialEvents: url.searchParams.get("sendInitialEvents") === "true",
    });
    this.watchesStarted++;
    this.watches.add(w);
    this.watchKinds.set(w, r.kind.kind);
    w.onClose = () => {
      this.watches.delete(w);
      this.watchKinds.delete(w);
    };
  }
}
