// One JSON line per event that matters, for the person reading `kubectl logs`. Every line has an
// `event` field naming what happened, so lines can be grepped and asserted on.
import { pino, type Logger, type DestinationStream } from "pino";
import pretty from "pino-pretty";

export type Log = Logger;

export interface LogOptions {
  level: string;
  format: "json" | "pretty";
  destination?: DestinationStream;
}

export function createLog(opts: LogOptions): Log {
  const base = { level: opts.level, base: { app: "fluxlight" }, timestamp: pino.stdTimeFunctions.isoTime };
  if (opts.format === "pretty") {
    return pino(base, pretty({ colorize: process.stdout.isTTY, destination: opts.destination ?? 1, sync: true }));
  }
  return pino(base, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}
