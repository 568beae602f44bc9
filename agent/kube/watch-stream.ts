// A watch's answer read as newline-delimited events: each line parsed alone, so one bad line
// costs that line (or, for a line that is not JSON, the connection: resuming from the last
// resourceVersion replays it), never the agent. Lines are bounded (./lines.ts).
import type http from "node:http";
import { BOUNDS, TooLargeError } from "./bounds.ts";
import { lineSplitter } from "./lines.ts";

export interface WatchHandlers {
  /** The server answered 200: the watch is established. */
  established(): void;
  /** One event; return false to end the watch (the promise then resolves). */
  event(type: string, object: unknown): boolean | void;
  /** A line that is JSON but not an event (`null`, an array, no `type`), or an event whose handling threw: skipped, the watch goes on. */
  skipped?(why: string): void;
}

/** What one line asks of the stream: nothing, to end it quietly, or to end it with an error. */
type LineOutcome = undefined | { end: true; error?: Error };

/** One line of a watch: parsed (after `prepare` drops the fields never read) and handed on. */
function watchLine(line: string, on: WatchHandlers, prepare: (text: string) => string): LineOutcome {
  let parsed: unknown;
  try {
    parsed = JSON.parse(prepare(line));
  } catch {
    return { end: true, error: new Error(`the API server sent a watch event that is not JSON (${line.length} characters)`) };
  }
  // Each line fails alone: JSON that is not an event is skipped, and so is an event whose handling throws.
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed) || typeof (parsed as { type?: unknown }).type !== "string") {
    on.skipped?.(`a watch line that is not an event: ${describeJson(parsed)}`);
    return undefined;
  }
  const { type, object } = parsed as { type: string; object?: unknown };
  try {
    return on.event(type, object) === false ? { end: true } : undefined;
  } catch (err) {
    on.skipped?.(`a ${type} event could not be handled: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Reads the watch until the server ends it, a handler ends it, or `signal` aborts (then it resolves). */
export function readWatch(res: http.IncomingMessage, req: http.ClientRequest, on: WatchHandlers, prepare: (text: string) => string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      if (err && !signal.aborted) reject(err);
      else resolve();
    };
    const split = lineSplitter(
      (line) => {
        if (done) return;
        const outcome = watchLine(line, on, prepare);
        if (!outcome) return;
        req.destroy();
        finish(outcome.error);
      },
      {
        maxLine: BOUNDS.maxObjectChars,
        onOversize(chars) {
          req.destroy();
          finish(new TooLargeError(`the API server sent a watch line longer than ${BOUNDS.maxObjectChars} characters (${chars} so far)`));
        },
      },
    );
    res.setEncoding("utf8");
    res.on("data", split);
    res.on("end", () => {
      split.end();
      finish();
    });
    res.on("error", finish);
    res.on("close", () => finish(res.complete ? undefined : new Error("the watch stream was cut off")));
    req.on("error", finish);
  });
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object without a type";
  return `a ${typeof value}`;
}
