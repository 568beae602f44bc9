// Issue 12, the metrics port: any pod may reach it (the chart's Service), so no request — an odd
// target, a huge header, a body — may take the real `fluxlight` command down or hold it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { kustomization } from "../../agent/sim/flux/objects.ts";
import { spawnAgent, startCluster } from "../e2e/harness.ts";
import { freePort, sleep } from "./rig.ts";

/** Raw bytes to the port, and the status line of the answer (or "closed"). */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, "127.0.0.1", () => s.end(bytes));
    let got = "";
    s.on("data", (b) => (got += b.toString("latin1")));
    s.on("close", () => resolve(got.split("\r\n")[0] || "closed"));
    s.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" || e.code === "EPIPE" ? resolve(got.split("\r\n")[0] || "closed") : reject(e)));
  });
}

test("GET // and other odd requests to the metrics port get an answer; the agent goes on", async (t) => {
  const cluster = await startCluster([kustomization({ name: "apps", ready: "True" })]);
  const port = await freePort();
  const agent = spawnAgent(["run", "--kubeconfig", cluster.kubeconfig, "--serial", "/dev/fluxlight-no-such-board", "--http", `127.0.0.1:${port}`]);
  t.after(async () => {
    agent.child.kill("SIGKILL");
    await cluster.stop();
  });
  await agent.logs.waitFor((l) => l.event === "http", 45_000, "the http line");

  const asked: [string, RegExp][] = [
    ["GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 404 /],
    ["GET //metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 404 /],
    ["GET /%zz%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 404 /],
    ["GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 404 /],
    ["OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 404 /],
    ["GET http://fluxlight:9090/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 200 /],
    ["DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", / 405 /],
    [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`, / 431 /],
    [`POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n${"a".repeat(1000)}`, / 413 /],
  ];
  for (const [bytes, want] of asked) assert.match(await raw(port, bytes), want, JSON.stringify(bytes.slice(0, 40)));

  await sleep(300);
  assert.equal(agent.child.exitCode, null, `still running; stderr: ${agent.stderr()}`);
  assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  assert.equal(agent.logs.lines.filter((l) => l.event === "fatal").length, 0, "no fatal line");
});

const fixture = fileURLToPath(new URL("./fixtures/unhandled.ts", import.meta.url));
for (const kind of ["reject", "throw"]) {
  test(`the last resort (${kind}): a bug nobody caught logs one fatal line with its cause and exits 1`, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", fixture, kind], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 1);
    const lines = out.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const fatal = lines.filter((l) => l.event === "fatal");
    assert.equal(fatal.length, 1, out);
    assert.equal(fatal[0]!.level, 60);
    assert.match(String(fatal[0]!.error), /a bug nobody caught/);
    assert.doesNotMatch(out, /still running/);
  });
}
