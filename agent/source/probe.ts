// Does the API server still answer? A watch cannot tell: a healthy, quiet watch sends nothing
// but a bookmark about once a minute, and a partitioned one (no bytes, no FIN, no RST) looks
// exactly the same. So the agent asks: GET /version, with a deadline, every interval. Any HTTP
// answer (even 401 or 500) means the server is there; only silence or a refused connection
// counts. One failed ask starts an outage at the moment the ask was sent; the signal holds it
// for the progress grace (an API server restart is shorter) before it shows `unknown`.
import type { KubeClient } from "../kube/client.ts";
import { KubeApiError } from "../kube/client.ts";
import type { Clock, TimerHandle } from "../shared/clock.ts";
import { messageOf } from "./errors.ts";

export interface ProbeReport {
  /** The server answered. */
  answered(at: number): void;
  /** The ask sent at `sentAt` got no answer: `error` says why, naming the server. */
  silent(sentAt: number, error: string): void;
}

export interface ProbeOptions {
  intervalMs: number;
  /** The agent's clock: stamps the asks and times the next one (the request's deadline is the network's, real time). */
  clock: Clock;
  /** After a failed ask, ask again this soon (recovery shows within seconds); default min(interval, 2 s). */
  retryMs?: number;
}

export interface ApiProbe {
  stop(): void;
}

export function probeApi(api: KubeClient, report: ProbeReport, opts: ProbeOptions): ApiProbe {
  const stopper = new AbortController();
  const { clock } = opts;
  let timer: TimerHandle | undefined;
  const ask = async () => {
    const sentAt = clock.now();
    let ok: boolean;
    let error = "";
    try {
      await api.getJson("/version", undefined, { signal: AbortSignal.any([stopper.signal, AbortSignal.timeout(opts.intervalMs)]) });
      ok = true;
    } catch (err) {
      if (stopper.signal.aborted) return;
      ok = err instanceof KubeApiError; // it answered, if not with what was asked
      const timedOut = (err as { name?: string }).name === "AbortError" || (err as { name?: string }).name === "TimeoutError";
      error = timedOut ? `no answer from ${api.server.host} to GET /version within ${Math.round(opts.intervalMs / 100) / 10} s` : `${api.server.host}: ${messageOf(err)}`;
    }
    if (stopper.signal.aborted) return;
    if (ok) report.answered(clock.now());
    else report.silent(sentAt, error);
    const wait = ok ? opts.intervalMs - (clock.now() - sentAt) : (opts.retryMs ?? Math.min(opts.intervalMs, 2000));
    timer = clock.set(() => void ask(), Math.max(0, wait));
  };
  void ask();
  return {
    stop() {
      stopper.abort();
      clock.clear(timer);
    },
  };
}
