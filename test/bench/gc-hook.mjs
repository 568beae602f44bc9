// Preloaded into benchmarked child processes (`node --expose-gc --import ./test/bench/gc-hook.mjs …`),
// plain JS so the bundle is measured without tsx. On SIGUSR2: two full GCs, then one line on
// stderr with process.memoryUsage() and V8's heap spaces, so the parent reads RSS after settling
// and can say what dominates. BENCH_HEAP_SNAPSHOT=DIR also writes a heap snapshot there.
import v8 from "node:v8";

process.on("SIGUSR2", () => {
  globalThis.gc?.();
  setTimeout(() => {
    globalThis.gc?.();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.space_used_size]));
    let snapshot;
    if (process.env.BENCH_HEAP_SNAPSHOT) snapshot = v8.writeHeapSnapshot(`${process.env.BENCH_HEAP_SNAPSHOT}/agent-${process.pid}.heapsnapshot`);
    process.stderr.write(`BENCH_MEMORY ${JSON.stringify({ ...process.memoryUsage(), spaces, snapshot })}\n`);
  }, 50);
});
