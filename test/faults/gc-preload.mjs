// Preloaded into the soaked agent (NODE_OPTIONS=--import): on SIGUSR2, two full collections,
// then one stderr line `SOAK_MEMORY {rss, heapUsed}` — resident memory read after garbage is
// gone, so that "flat" measures what the agent keeps, not when V8 happens to collect.
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");

process.on("SIGUSR2", () => {
  gc();
  setTimeout(() => {
    gc();
    const { rss, heapUsed } = process.memoryUsage();
    process.stderr.write(`SOAK_MEMORY ${JSON.stringify({ rss, heapUsed })}\n`);
  }, 100);
});
