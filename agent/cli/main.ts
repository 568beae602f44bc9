// `fluxlight run | demo | help`: the process boundary. Bad input exits 2 with one line naming
// the flag; everything after start-up is retried and logged, never a crash loop.
// The agent's modules (johnny-five, serialport; seconds under tsx) are imported only by `run`, so a
// bad flag or `help` answers at once.
import { readFileSync } from "node:fs";
import { envName, parseConfig, usage, type Config } from "./config.ts";
import { lightContexts, readLightsFile } from "./lights-file.ts";
import { singleLight, type LightSettings } from "../lights.ts";
import type { Agent } from "../agent.ts";
import { formatLedSpec } from "../light/led-spec.ts";
import type { HttpServer } from "../http/server.ts";
import { formatDuration } from "../shared/duration.ts";

const EXIT_USAGE = 2;

/** How the user set a flag, for an error line: the flag if given (a flag wins), else its environment twin. */
function setBy(name: string): string {
  const env = envName(name);
  const flagged = process.argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  return !flagged && process.env[env] ? env : `--${name}`;
}

function die(message: string): never {
  process.stderr.write(`fluxlight: ${message}\n`);
  process.exit(EXIT_USAGE);
}

/** --story is the demo's: elsewhere it would be ignored, so it is refused. */
function refuseStory(chosen: ReadonlySet<keyof Config>): void {
  if (chosen.has("story")) die(`${setBy("story")}: only the demo tells a story; describe your own lights in a lights file (--config)`);
}

/** SIGTERM/SIGINT: switch the LED off and let go of the board, within 2 s whatever happens. */
export function exitOnSignals(stop: () => Promise<void>): void {
  const shutdown = () => {
    setTimeout(() => process.exit(0), 1500).unref();
    stop().finally(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

/** The start line's fields: every setting in force, as a person would write it (several clusters: each one's; a lights file: each light's). */
function startFields(config: Config, lights: readonly LightSettings[], clusters: readonly { server: string; context: string; kubeconfig: string }[]): Record<string, unknown> {
  const [one] = clusters;
  const scope = (l: LightSettings) => ({
    kinds: l.kinds?.map((k) => k.kind) ?? "all served",
    namespaces: l.namespaces.length ? l.namespaces : "all",
    selector: l.selector ?? null,
  });
  const each = config.config === undefined
    ? { ...scope(lights[0]!), led: formatLedSpec(lights[0]!.led) }
    : { config: config.config, lights: lights.map((l) => ({ name: l.name, led: formatLedSpec(l.led), ...scope(l), names: l.names, clusters: l.clusters })) };
  return {
    event: "start",
    ...(clusters.length === 1 ? { cluster: one!.server, context: one!.context, kubeconfig: one!.kubeconfig } : { clusters }),
    ...each,
    serial: config.serial,
    usbIds: config.usbIds.map((u) => `${u.vendorId}:${u.productId ?? "*"}`),
    progressGrace: formatDuration(config.progressGrace),
    stuckAfter: formatDuration(config.stuckAfter),
    heartbeatTimeout: formatDuration(config.heartbeatTimeout),
    fluxNamespace: config.fluxNamespace,
    apiProbeInterval: formatDuration(config.apiProbeInterval),
    http: config.http === "off" ? "off" : `${config.http.host ?? ""}:${config.http.port}`,
  };
}

/** The lights to drive: the lights file's (every field checked before anything starts), or one from the flags. */
function lightsOf(config: Config): LightSettings[] {
  if (config.config === undefined) return [singleLight(config)];
  const read = readLightsFile(config.config, (path) => readFileSync(path, "utf8"));
  if (!read.ok) die(`${setBy("config")}: ${read.error}`);
  return read.value;
}

/** The contexts to watch: --context's, then those the lights name; one a light names that cannot be watched exits 2 naming its field. */
function contextsOf(config: Config, lights: readonly LightSettings[], problem: (context: string) => string | undefined): string[] {
  const contexts = lightContexts(lights, config.contexts, problem);
  if (!contexts.ok) die(`${setBy("config")}: ${contexts.error}`);
  return contexts.value;
}

async function run(config: Config): Promise<void> {
  const lights = lightsOf(config);
  const [{ loadClusters, serverText, unusedProxyEnv, UsageError }, { contextProblem }, { createLog }, { installLastResort }, { startAgent }, { realSerial }, { startHttp }] = await Promise.all([
    import("./kubeconfig.ts"),
    import("./kubeconfig-contexts.ts"),
    import("../log/logger.ts"),
    import("../log/last-resort.ts"),
    import("../agent.ts"),
    import("../link/serialport.ts"),
    import("../http/server.ts"),
  ]);
  let clusters;
  try {
    clusters = loadClusters({ ...config, contexts: contextsOf(config, lights, contextProblem(config, process.env)) }, process.env);
  } catch (err) {
    if (err instanceof UsageError) die(err.message.replace(/^--(kubeconfig|context):/, (_, name: string) => `${setBy(name)}:`));
    throw err;
  }
  const log = createLog({ level: config.logLevel, format: config.logFormat });
  installLastResort(log);
  log.info(startFields(config, lights, clusters.map((c) => ({ server: serverText(c), context: c.context, kubeconfig: c.source }))), "fluxlight starting");
  const proxyEnv = unusedProxyEnv(process.env);
  if (proxyEnv.length) {
    log.info({ event: "proxy-env-unused", vars: proxyEnv }, `${proxyEnv.join(", ")} set but not used: fluxlight reaches the API server directly, or through the kubeconfig cluster's proxy-url`);
  }
  const agent: Agent = startAgent(
    { lights, serial: config.serial, usbIds: config.usbIds, progressGraceMs: config.progressGrace, stuckAfterMs: config.stuckAfter, heartbeatTimeoutMs: config.heartbeatTimeout, fluxNamespace: config.fluxNamespace, apiProbeIntervalMs: config.apiProbeInterval },
    {
      cluster: clusters,
      access: realSerial,
      log,
      onFatal(message) {
        log.fatal({ event: "fatal", error: message }, message);
        process.stderr.write(`fluxlight: ${message}\n`);
        void agent.stop().finally(() => process.exit(EXIT_USAGE));
      },
    },
  );
  let http: HttpServer | undefined;
  if (config.http !== "off") {
    try {
      http = await startHttp(config.http, () => agent.snapshot(), log, { now: Date.now });
    } catch (err) {
      await agent.stop();
      die(`${setBy("http")}: cannot listen on ${config.http.host ?? ""}:${config.http.port}: ${(err as Error).message}`);
    }
  }
  exitOnSignals(async () => {
    await http?.close();
    await agent.stop();
  });
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (!parsed.ok) {
    process.stderr.write(`fluxlight: ${parsed.error}\n`);
    if (parsed.usage) process.stderr.write(`\n${usage()}\n`);
    process.exit(EXIT_USAGE);
  }
  switch (parsed.command) {
    case "help":
      process.stdout.write(`${usage()}\n`);
      return;
    case "run":
      refuseStory(parsed.chosen);
      return run(parsed.config);
    case "status": {
      refuseStory(parsed.chosen);
      const { runStatus } = await import("./status.ts");
      const lights = parsed.config.config === undefined ? undefined : lightsOf(parsed.config);
      process.exitCode = await runStatus({ ...parsed.config, lights }, { stdout: process.stdout, stderr: process.stderr, env: process.env });
      // A request to a silent server may still be open: the answer is printed, so do not wait on it.
      setTimeout(() => process.exit(), 500).unref();
      return;
    }
    case "demo": {
      // The demo plays its story on lights of its own: one (its wiring --led's), or two (--story two-lights).
      if (parsed.config.config !== undefined) die(`${setBy("config")}: the demo draws lights of its own; drop the lights file (--led chooses its one light's wiring, --story two-lights shows two)`);
      if (parsed.config.story === "two-lights" && parsed.chosen.has("led")) die(`${setBy("led")}: the two-light story wires its own LEDs (rgb:9,10,11 and traffic:2,3,4); drop it, or the story`);
      // The demo has its own defaults (an RGB LED, a short grace) unless the user chose.
      const { runDemo } = await import("../demo/demo.ts");
      const result = await runDemo(parsed.config, { ledGiven: parsed.chosen.has("led"), graceGiven: parsed.chosen.has("progressGrace") });
      process.exit(result.matched === result.scenes ? 0 : 1);
    }
  }
}

await main();
