// The real `fluxlight` command reaching the local API server over real TLS through what sits
// between: a token file that rotates (client-node re-reads it), proxy-url through an HTTP CONNECT
// proxy and a SOCKS5 proxy (logging what went through them), tls-server-name (the simulator logs
// the SNI it was asked for), and proxy variables in the environment (named as unused, once).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { connect, createServer as createTcpServer, type Socket } from "node:net";
import { okLight, startRig, TOKEN, type Rig } from "./rig.ts";

let rig: Rig;
before(async () => (rig = await startRig()));
after(() => rig.stop());

test("a tokenFile that rotates: after the old token is revoked, the new one in the file is read (within client-node's minute)", async () => {
  rig.write("rotating/token", `${TOKEN}\n`);
  const path = rig.kubeconfig("rotating/config", {}, { tokenFile: "token" });
  const agent = rig.run(["--kubeconfig", path]);
  try {
    await agent.logs.waitFor(okLight, 30_000, "the light going ok");
    rig.write("rotating/token", "rotated-token\n");
    rig.server.setToken("rotated-token");
    rig.server.dropWatches();
    await agent.logs.waitFor((l) => l.event === "signal" && l.to === "unknown", 20_000, "401 → unknown");
    await agent.logs.waitFor((l) => l.event === "signal" && l.from === "unknown" && l.to === "ok", 90_000, "ok again with the rotated token");
  } finally {
    rig.server.setToken(TOKEN);
    await agent.stop();
  }
});

test("proxy-url through an HTTP CONNECT proxy and a SOCKS5 proxy, over TLS; proxy variables in the environment are named as unused, once", async () => {
  const connects: string[] = [];
  const httpProxy: Server = createServer((_, res) => res.writeHead(405).end());
  httpProxy.on("connect", (req, client: Socket, head: Buffer) => {
    connects.push(String(req.url));
    const [host, port] = String(req.url).split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  const socksed: string[] = [];
  const socks = createTcpServer((client) => socks5(client, socksed));
  await Promise.all([new Promise<void>((r) => httpProxy.listen(0, "127.0.0.1", r)), new Promise<void>((r) => socks.listen(0, "127.0.0.1", r))]);
  try {
    const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;
    const viaConnect = await rig.status(["--kubeconfig", rig.kubeconfig("proxy/connect", { "proxy-url": `http://127.0.0.1:${port(httpProxy)}` })], { HTTPS_PROXY: "http://127.0.0.1:1", NO_PROXY: "10.0.0.0/8" });
    assert.equal(viaConnect.code, 0, viaConnect.stderr);
    assert.ok(connects.length > 0 && connects.every((c) => c === `127.0.0.1:${rig.server.port}`), `CONNECTs: ${connects.join(", ")}`);
    assert.equal(viaConnect.stderr, "fluxlight: HTTPS_PROXY, NO_PROXY set but not used: fluxlight reaches the API server directly, or through the kubeconfig cluster's proxy-url\n");

    const viaSocks = await rig.status(["--kubeconfig", rig.kubeconfig("proxy/socks", { "proxy-url": `socks5://127.0.0.1:${port(socks)}` })]);
    assert.equal(viaSocks.code, 0, viaSocks.stderr);
    assert.ok(socksed.length > 0 && socksed.every((c) => c === `127.0.0.1:${rig.server.port}`), `SOCKS connects: ${socksed.join(", ")}`);

    // `run` with a proxy variable set starts as usual and says once that it is not used.
    const agent = rig.run(["--kubeconfig", rig.kubeconfig("proxy/direct")], { https_proxy: "http://127.0.0.1:1" });
    try {
      await agent.logs.waitFor(okLight, 30_000, "the light going ok");
      assert.deepEqual(agent.logs.events("proxy-env-unused").map((l) => l.vars), [["https_proxy"]]);
    } finally {
      await agent.stop();
    }
  } finally {
    httpProxy.close();
    socks.close();
  }
});

test("tls-server-name: the certificate is checked against that name, which is sent as SNI", async () => {
  const seen = rig.requestsFrom();
  const r = await rig.status(["--kubeconfig", rig.kubeconfig("sni/good", { "tls-server-name": "kubernetes.default.svc" })]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([...new Set(seen().map((q) => q.serverName))], ["kubernetes.default.svc"]);
  const wrong = await rig.status(["--kubeconfig", rig.kubeconfig("sni/wrong", { "tls-server-name": "elsewhere.example" })]);
  assert.equal(wrong.code, 3);
  assert.match(wrong.stderr, /elsewhere\.example/);
});

/** A SOCKS5 server (no authentication, CONNECT only) that records where each connection goes. */
function socks5(client: Socket, seen: string[]): void {
  let stage: "greeting" | "request" = "greeting";
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    if (stage === "greeting") {
      if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
      buffered = buffered.subarray(2 + buffered[1]!);
      client.write(Buffer.from([5, 0]));
      stage = "request";
    }
    if (buffered.length < 5) return;
    const type = buffered[3]!;
    const addrLen = type === 1 ? 4 : type === 4 ? 16 : 1 + buffered[4]!;
    if (buffered.length < 4 + addrLen + 2) return;
    const host = type === 1 ? [...buffered.subarray(4, 8)].join(".") : type === 3 ? buffered.subarray(5, 5 + buffered[4]!).toString() : "ipv6";
    const port = buffered.readUInt16BE(4 + addrLen);
    const rest = buffered.subarray(4 + addrLen + 2);
    client.off("data", onData);
    seen.push(`${host}:${port}`);
    const upstream = connect(port, host, () => {
      client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
      if (rest.length) upstream.write(rest);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  };
  client.on("data", onData);
}
