// One JSON line per event that matters, for the person reading `kubectl logs`. Every line has an
// `event` field naming what happened, so lines can be grepped and asserted on.
import { pino, type Logger, type DestinationStream } from "pino";
import { createRequire } from "node:module";
import type { PrettyOptions } from "pino-pretty";
import { disarmJson, escapeText } from "../text/escape.ts";

export type Log = Logger;

export interface LogOptions {
  level: string;
  format: "json" | "pretty";
  destination?: DestinationStream;
}

export function createLog(opts: LogOptions): Log {
  const base = {
    level: opts.level,
    base: { app: "fluxlight" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Messages come from the cluster: pino escapes C0 in JSON, but a raw C1 CSI or a bidi
    // override would still act on the terminal of whoever runs `kubectl logs`.
    hooks: { streamWrite: disarmJson },
  };
  if (opts.format === "pretty") {
    // Loaded only when asked for: a pod logs JSON, and pino-pretty's dependencies cost ≈ 0.7 MiB.
    const pretty = createRequire(import.meta.url)("pino-pretty") as (o: PrettyOptions) => DestinationStream;
    // pino-pretty parses the JSON back and prints its strings raw, so the escaping that JSON
    // did is undone: every string is escaped for the terminal first (pretty is for people).
    return pino({ ...base, hooks: { streamWrite: escapeStrings } }, pretty({ colorize: process.stdout.isTTY, destination: opts.destination ?? 1, sync: true }));
  }
  return pino(base, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** A JSON log line with every string in it (keys too) escaped as printable text. */
export function escapeStrings(line: string): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return escapeText(line);
  }
  return `${JSON.stringify(deepEscape(value))}\n`;
}

function deepEscape(value: unknown): unknown {
  if (typeof value === "string") return escapeText(value);
  if (Array.isArray(value)) return value.map(deepEscape);
  if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeText(k), deepEscape(v)]));
  return value;
}
