// The `status` stage: `fluxlight status` against the simulated API server with 1,000 and 3,000
// realistic Kustomizations. Issue 11 found the one-shot decision fed the objects to the signal
// one at a time (a copy of the whole state and a decision per object: 37 ms for 1,000, 293 ms for
// 3,000); it now observes the list as one event. Three figures per size, each a median:
//   command    the bundle as a child process, spawn → exit (what a person waits for);
//   inProcess  runStatus in this process (discovery, the list, the report, the table);
//   report     views → report alone (buildReport), beside the old path — observeObject per
//              object, then decide — as the baseline, on the same views in the same run.
// The report is a few milliseconds of pure work, which this shared machine's other load (and one
// young-generation GC more or less) would swamp, so it is taken differently: in CPU time (the
// process's user + system), each sample running it back to back over the same number of objects
// at every size (9,000: nine reports of 1,000, three of 3,000; the time per report), the sizes'
// samples interleaved so that a change in the load falls on both.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { runStatus } from "../../agent/cli/status.ts";
import { buildReport } from "../../agent/cli/status-report.ts";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import type { ObjectView } from "../../agent/model.ts";
import { createSignalState, decide, observeConnectivity, observeObject } from "../../agent/signal/index.ts";
import { fluxApi } from "../../agent/source/api.ts";
import { findKind } from "../../agent/source/kinds.ts";
import { listKind } from "../../agent/source/list.ts";
import { evaluate } from "../../agent/status/verdict.ts";
import { BUNDLE, median, realisticObjects, startCluster } from "./lib.ts";

type Figure = { median: number; fastest: number; runs: number[] };

export interface StatusFigure {
  objects: number;
  exitCode: number | null;
  command: Figure;
  inProcess: Figure;
  /** ms of CPU per report. */
  report: Figure;
  oneAtATime: Figure;
}

export const STATUS_SIZES = [1000, 3000] as const;
const PURE_OBJECTS_PER_SAMPLE = 9000;
const quiet = { write: () => true };

/** Each size on its own fresh cluster, so that no earlier stage's writes are in what is listed. */
export async function statusStage(o: { repeats: number; log(line: string): void }): Promise<StatusFigure[]> {
  const measured: (Omit<StatusFigure, "report" | "oneAtATime"> & { views: ObjectView[] })[] = [];
  for (const n of STATUS_SIZES) {
    const cluster = await startCluster(realisticObjects(n));
    try {
      const { kubeconfig } = cluster;
      const command = await timed(o.repeats, async () => (await runCommand(kubeconfig)).code);
      const inProcess = await timed(o.repeats, () => runStatus({ kubeconfig, namespaces: [], output: "table" }, { stdout: quiet, stderr: quiet, env: {} }));
      const { views } = await listKind(fluxApi(loadKubeConfig({ kubeconfig }, {})), findKind("Kustomization")!);
      if (views.length !== n) throw new Error(`status: listed ${views.length} of ${n} objects`);
      measured.push({ objects: n, exitCode: command.result, command: command.figure, inProcess: inProcess.figure, views });
    } finally {
      await cluster.stop();
    }
  }
  const pure = pureFigures(measured.map((m) => m.views), o.repeats * 2);
  return measured.map(({ views, ...m }, i) => {
    const f = { ...m, ...pure[i]! };
    void views;
    o.log(`status: ${f.objects} objects (exit ${f.exitCode}): command ${Math.round(f.command.median)} ms, in-process ${Math.round(f.inProcess.median)} ms, views → report ${f.report.median.toFixed(2)} ms CPU, fastest ${f.report.fastest.toFixed(2)} (one at a time: ${f.oneAtATime.median.toFixed(1)}, fastest ${f.oneAtATime.fastest.toFixed(1)})`);
    return f;
  });
}

/** views → report, and the old one-at-a-time path, per size: CPU ms per report, the sizes interleaved. */
function pureFigures(sizes: ObjectView[][], repeats: number): { report: Figure; oneAtATime: Figure }[] {
  const now = Date.now();
  const paths = [(v: ObjectView[]) => buildReport(v, { state: "synced" }, now).signal, (v: ObjectView[]) => oneObjectAtATime(v, now)];
  const runs = sizes.map(() => paths.map(() => [] as number[]));
  for (const views of sizes) for (const path of paths) path(views); // unmeasured: the JIT
  for (let r = 0; r < repeats; r++) {
    sizes.forEach((views, s) =>
      paths.forEach((path, p) => {
        const times = Math.max(1, Math.round(PURE_OBJECTS_PER_SAMPLE / views.length));
        globalThis.gc?.();
        const t0 = cpuMs();
        for (let k = 0; k < times; k++) path(views);
        runs[s]![p]!.push((cpuMs() - t0) / times);
      }),
    );
  }
  const figure = (x: number[]): Figure => ({ median: median(x), fastest: Math.min(...x), runs: x });
  return runs.map(([report, one]) => ({ report: figure(report!), oneAtATime: figure(one!) }));
}

/** ms of CPU this process has used (every thread: the GC's helpers count too). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `repeats` wall-clock samples after one unmeasured run (the page cache for the bundle, the JIT in process). */
async function timed<T>(repeats: number, run: () => Promise<T>): Promise<{ result: T; figure: Figure }> {
  let result = await run();
  const runs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    result = await run();
    runs.push(performance.now() - t0);
  }
  return { result, figure: { median: median(runs), fastest: Math.min(...runs), runs } };
}

async function runCommand(kubeconfig: string): Promise<{ code: number | null }> {
  try {
    await promisify(execFile)(process.execPath, [BUNDLE, "status", "--kubeconfig", kubeconfig], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    return { code: 0 };
  } catch (e) {
    return { code: (e as { code: number | null }).code };
  }
}

/** The path issue 11 replaced: each object observed alone, a state copy and a decision each. */
function oneObjectAtATime(views: readonly ObjectView[], now: number): string {
  let state = createSignalState({ progressGrace: 0 });
  for (const view of views) state = observeObject(state, view, evaluate(view), now);
  state = observeConnectivity(state, { state: "synced" }, now);
  return decide(state, now).signal;
}
