// Who the agent is to the API server, asked before every request: most credentials are fixed,
// a token file is re-read now and then (service account tokens rotate) and an exec plugin is
// re-run when its credential expires or the server rejects it.
import { readFile } from "node:fs/promises";

/** What a request carries: an Authorization header and/or a TLS client identity. */
export interface Identity {
  authorization?: string;
  cert?: Buffer;
  key?: Buffer;
}

export interface Credentials {
  get(): Promise<Identity>;
  /** The server answered 401: the next get() fetches fresh credentials where it can. */
  rejected(): void;
}

export const none: Credentials = { get: () => Promise.resolve({}), rejected() {} };

export function bearer(token: string): Credentials {
  const identity = { authorization: `Bearer ${token}` };
  return { get: () => Promise.resolve(identity), rejected() {} };
}

export function basicAuth(username: string, password: string): Credentials {
  const identity = { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
  return { get: () => Promise.resolve(identity), rejected() {} };
}

/** client-go re-reads token files once a minute. */
const REREAD_MS = 60_000;

export function bearerFile(path: string, what: string, now: () => number = Date.now): Credentials {
  let cached: { identity: Identity; at: number } | undefined;
  return {
    async get() {
      if (cached && now() - cached.at < REREAD_MS) return cached.identity;
      let token: string;
      try {
        token = (await readFile(path, "utf8")).trim();
      } catch (err) {
        throw new Error(`cannot read the ${what} at ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      cached = { identity: { authorization: `Bearer ${token}` }, at: now() };
      return cached.identity;
    },
    rejected() {
      cached = undefined;
    },
  };
}
