// Issue 3: what the light shows when it cannot see the cluster because it is not allowed to: a
// 403 on list. The LED reads unknown (blue, blinking) and the log names the missing permission and
// the ClusterRole rule that grants it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { loadKubeConfig } from "../../agent/cli/kubeconfig.ts";
import { startAgent } from "../../agent/agent.ts";
import { singleLight } from "../../agent/lights.ts";
import { createLog } from "../../agent/log/logger.ts";
import { EmulatedUno } from "../../agent/sim/uno/uno.ts";
import { UnoBinding } from "../../agent/sim/uno/binding.ts";
import { SerialPortStream } from "@serialport/stream";
import type { SerialPortLike } from "../../agent/link/ports.ts";
import { board, startCluster, LogBook, FLUXLIGHT_HEX, RGB } from "./harness.ts";

test("403 on listing kustomizations: unknown (blue, blinking) and the ClusterRole rule that is missing", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  cluster.server.forbid({ resource: "kustomizations", verb: "list" });
  const uno = await EmulatedUno.load(FLUXLIGHT_HEX);
  uno.start();
  const binding = new UnoBinding();
  binding.attach("/dev/ttyACM0", uno);
  const logs = new LogBook();
  const agent = startAgent(
    { lights: [singleLight({ led: RGB, namespaces: [] })], serial: "/dev/ttyACM0", usbIds: [], progressGraceMs: 1000, stuckAfterMs: 600_000, heartbeatTimeoutMs: 10_000 },
    {
      cluster: loadKubeConfig({ kubeconfig: cluster.kubeconfig }, {}),
      access: { open: (path) => new SerialPortStream({ binding, path, baudRate: 57600 }) as unknown as SerialPortLike, list: () => binding.list() },
      log: createLog({ level: "debug", format: "json", destination: logs.stream() }),
      onFatal: (m) => assert.fail(m),
    },
  );
  t.after(async () => {
    await agent.stop();
    uno.stop();
    await cluster.stop();
  });
  const led = board(uno, RGB);

  await logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 10_000, "the unknown line");
  await led.waitForLed("blue", 5000, 100);
  const seen = new Set(await led.sample(1500));
  assert.ok(seen.has("blue") && seen.has("off"), `blinking blue: ${[...seen]}`);
  assert.ok(!seen.has("green"), "never green: the one Kustomization is not readable");

  const denied = await logs.waitFor((l) => l.event === "api-error" && l.cause === "denied", 2000, "the 403 line");
  assert.equal(denied.status, 403);
  assert.equal(denied.resource, "kustomizations.kustomize.toolkit.fluxcd.io");
  assert.match(String(denied.error), /cannot list resource "kustomizations"/);
  assert.match(String(denied.fix), /ClusterRole rule \{apiGroups: \["kustomize\.toolkit\.fluxcd\.io"\], resources: \["kustomizations"\], verbs: \["list", "watch"\]\}/);
  // Whoever reads only the light's own line learns the same.
  const unknown = logs.events("signal").find((l) => l.to === "unknown")!;
  assert.match(String(unknown.msg), /403|forbidden|cannot list/i, `the signal line says why: ${unknown.msg}`);
});
