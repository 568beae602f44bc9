// The last resort: an error nothing else caught. Every request, watch line and object is meant
// to fail alone (logged, skipped), so reaching this is a bug — but if it happens, the person
// reading `kubectl logs` gets one `fatal` line with the cause instead of node's stack dump on
// stderr, and the process exits 1: the pod restarts, and the firmware's dead-man's switch shows
// "host lost" meanwhile.
import type { Log } from "./logger.ts";

export function installLastResort(log: Pick<Log, "fatal">, exit: (code: number) => void = (code) => process.exit(code)): void {
  const die = (origin: string, cause: unknown) => {
    const error = cause instanceof Error ? cause.message : String(cause);
    try {
      log.fatal({ event: "fatal", origin, error, stack: cause instanceof Error ? cause.stack : undefined }, `${origin}: ${error}; exiting (this is a bug in fluxlight: please report it)`);
    } finally {
      exit(1);
    }
  };
  process.on("unhandledRejection", (reason) => die("unhandled rejection", reason));
  process.on("uncaughtException", (err) => die("uncaught exception", err));
}
