// What the API server may send and for how long, and the two ways an answer is refused: shared by
// the GET (./get.ts), the watch stream (./watch-stream.ts) and the client that puts them together.

/** A non-200 answer; `body` is the API server's Status object when it sent one. */
export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
    path: string,
  ) {
    const said = typeof body === "object" && body !== null && typeof (body as { message?: unknown }).message === "string" ? (body as { message: string }).message : undefined;
    super(`HTTP ${statusCode} from GET ${path}${said ? `: ${said}` : ""}`);
  }
}

/** A watch line or a list's fields past BOUNDS.maxObjectChars: the stream is given up. */
export class TooLargeError extends Error {}

/** What the API server may send, and for how long (README, "Reliability"). */
export const BOUNDS = {
  /** A GET that sends nothing for this long is dead (a blackholed API server). */
  requestIdleMs: 30_000,
  /** A GET (a list page, a discovery document) that has not ended this long after it was sent has failed, however it trickles. */
  requestDeadlineMs: 60_000,
  /**
   * One watch line, one list item, a discovery document or a list's fields besides its items, in
   * characters. etcd refuses objects over 1.5 MiB, so a real API server never comes near this.
   */
  maxObjectChars: 4 * 1024 * 1024,
  /** An error body longer than this is cut: only its message matters. */
  maxErrorBodyChars: 64 * 1024,
} as const;
