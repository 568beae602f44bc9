// `fluxlight status` end to end: runStatus in-process against the local API server, through a
// kubeconfig file as a user would point it at a cluster, with stdout and stderr captured.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ApiServer, ApiServerOptions } from "../../agent/sim/apiserver/server.ts";
import { startCluster } from "../e2e/harness.ts";
import { bucket, homelab, kustomization } from "../../agent/sim/flux/objects.ts";
import type { JsonObject } from "../../agent/sim/flux/kinds.ts";
import { runStatus, type StatusConfig } from "../../agent/cli/status.ts";
import { FluxRuntime } from "../../agent/sim/flux/runtime.ts";
import { kubeconfigYaml } from "../../agent/sim/apiserver/kubeconfig.ts";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

interface Cluster {
  server: ApiServer;
  kubeconfig: string;
  status(config?: Partial<StatusConfig>): Promise<Run>;
  close(): Promise<void>;
}

async function cluster(objects: JsonObject[], o: ApiServerOptions = {}): Promise<Cluster> {
  const rig = await startCluster(objects, o);
  return {
    server: rig.server,
    kubeconfig: rig.kubeconfig,
    status: (config = {}) => status({ kubeconfig: rig.kubeconfig, namespaces: [], output: "table", ...config }),
    close: () => rig.stop(),
  };
}

async function status(config: StatusConfig, env: Record<string, string | undefined> = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runStatus(config, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    // No KUBECONFIG or in-cluster variables from the machine running the tests.
    env: { HOME: "/nonexistent", ...env },
  });
  return { code, stdout, stderr };
}

async function withCluster(objects: JsonObject[], o: ApiServerOptions, fn: (c: Cluster) => Promise<void>): Promise<void> {
  const c = await cluster(objects, o);
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

/** The table's rows as KIND/NAMESPACE/NAME → the other columns, split on the column gaps. */
function rows(stdout: string): Map<string, string[]> {
  const lines = stdout.trimEnd().split("\n");
  assert.match(lines[0]!, /^KIND +NAMESPACE +NAME +READY +VERDICT +SUSPENDED +MESSAGE$/);
  return new Map(lines.slice(1, -1).map((l) => {
    const [kind, ns, name, ...rest] = l.split(/ {3,}/);
    return [`${kind}/${ns}/${name}`, rest];
  }));
}

function assertPrintable(text: string): void {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const bad = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.exec(text);
  assert.equal(bad, null, `raw ${JSON.stringify(bad?.[0])} written`);
}

describe("fluxlight status against a local API server", () => {
  test("all ready: the table as flux get shows it, signal ok, exit 0", () =>
    withCluster(homelab(), {}, async (c) => {
      const r = await c.status();
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.equal(r.stdout.trimEnd().split("\n").at(-1), "signal: ok");
      const t = rows(r.stdout);
      assert.deepEqual([...t.keys()], ["Bucket/flux-system/caddy-bucket", "Kustomization/flux-system/main"], "sources first");
      assert.deepEqual(t.get("Kustomization/flux-system/main")?.slice(0, 3), ["True", "ready", "False"]);
      assert.match(t.get("Kustomization/flux-system/main")![3]!, /^Applied revision: /);
    }));

  test("a failure: exit 1, its message escaped in the table, kept as written in the JSON", () => {
    const message = "kustomize build failed: \x1b[31mred\x1b[0m\rcarriage\x07bell\u009b2J\nnext line";
    return withCluster([...homelab(), kustomization({ name: "apps", ready: "False", reason: "BuildFailed", message })], {}, async (c) => {
      const table = await c.status();
      assert.equal(table.code, 1);
      assertPrintable(table.stdout.replaceAll("\n", ""));
      assert.equal(table.stdout.trimEnd().split("\n").length, 5, "header, three rows, signal: the message stays on its row");
      assert.deepEqual(rows(table.stdout).get("Kustomization/flux-system/apps"), [
        "False",
        "failed",
        "False",
        "kustomize build failed: \\x1b[31mred\\x1b[0m\\rcarriage\\x07bell\\x9b2J\\nnext line",
      ]);
      assert.match(table.stdout, /signal: failed\n$/);

      const json = await c.status({ output: "json" });
      assert.equal(json.code, 1);
      assertPrintable(json.stdout.replaceAll("\n", ""));
      const doc = JSON.parse(json.stdout) as { signal: string; objects: Record<string, unknown>[] };
      assert.equal(doc.signal, "failed");
      assert.deepEqual(doc.objects.find((o) => o.name === "apps"), {
        kind: "Kustomization", namespace: "flux-system", name: "apps", verdict: "failed", ready: "False", reason: "BuildFailed", message, suspended: false,
      });
      assert.deepEqual(doc.objects.map((o) => `${o.kind}/${o.name}:${o.verdict}`), ["Bucket/caddy-bucket:ready", "Kustomization/apps:failed", "Kustomization/main:ready"]);
    });
  });

  test("a reconcile going on now: progressing, exit 3; never reconciled reads False, waiting to be reconciled", () =>
    // "Now": Ready went Unknown a moment ago. (Unknown since months reads Stuck: see below.)
    withCluster([...homelab(), kustomization({ name: "apps", ready: "Unknown", now: new Date() }), kustomization({ name: "fresh", namespace: "apps" })], {}, async (c) => {
      const r = await c.status();
      assert.equal(r.code, 3);
      assert.match(r.stdout, /signal: progressing\n$/);
      const t = rows(r.stdout);
      assert.deepEqual(t.get("Kustomization/flux-system/apps")?.slice(0, 2), ["Unknown", "progressing"]);
      assert.deepEqual(t.get("Kustomization/apps/fresh"), ["False", "progressing", "False", "waiting to be reconciled"]);
    }));

  test("Ready=Unknown since longer than the stuck limit (by Flux's lastTransitionTime): failed, reason Stuck, exit 1", () =>
    withCluster([kustomization({ name: "wedged", ready: "Unknown", now: new Date(Date.now() - 3_600_000) })], {}, async (c) => {
      const r = await c.status({ output: "json" });
      assert.equal(r.code, 1);
      const doc = JSON.parse(r.stdout) as { signal: string };
      assert.equal(doc.signal, "failed");
    }));

  test("a suspended object is shown but left out of the signal", () =>
    withCluster([...homelab(), kustomization({ name: "paused", ready: "False", suspend: true })], {}, async (c) => {
      const r = await c.status();
      assert.equal(r.code, 0);
      assert.deepEqual(rows(r.stdout).get("Kustomization/flux-system/paused")?.slice(0, 3), ["False", "suspended", "True"]);
    }));

  test("--namespace and --selector narrow the look", () =>
    withCluster(
      [
        ...homelab(),
        kustomization({ name: "web", namespace: "apps", ready: "False", labels: { tier: "web" } }),
        kustomization({ name: "db", namespace: "apps", ready: "True", labels: { tier: "db" } }),
        kustomization({ name: "other", namespace: "team", ready: "True" }),
      ],
      {},
      async (c) => {
        const apps = await c.status({ namespaces: ["apps"] });
        assert.equal(apps.code, 1);
        assert.deepEqual([...rows(apps.stdout).keys()], ["Kustomization/apps/db", "Kustomization/apps/web"]);

        const two = await c.status({ namespaces: ["apps", "team"], selector: "tier!=web", output: "json" });
        assert.equal(two.code, 0, two.stderr);
        assert.deepEqual((JSON.parse(two.stdout) as { objects: { name: string }[] }).objects.map((o) => o.name), ["db", "other"]);

        const db = await c.status({ selector: "tier=db" });
        assert.equal(db.code, 0);
        assert.deepEqual([...rows(db.stdout).keys()], ["Kustomization/apps/db"]);

        const none = await c.status({ selector: "tier=nothing" });
        assert.equal(none.code, 3, "nothing matched is not all is well");
        assert.equal(none.stdout, "signal: unknown\n");
        assert.match(none.stderr, /no Flux objects found.*--selector/);

        const bad = await c.status({ selector: "tier in (" });
        assert.equal(bad.code, 2, bad.stderr);
        assert.match(bad.stderr, /^fluxlight: --selector: /);
      },
    ));

  test("a kind asked for whose CRD is not installed is skipped with one line; unasked, silently", () =>
    withCluster(homelab(), { crds: ["Bucket", "Kustomization"] }, async (c) => {
      const asked = await c.status({ kinds: ["Kustomization", "helmreleases"] });
      assert.equal(asked.code, 0, asked.stderr);
      assert.deepEqual(asked.stderr.trimEnd().split("\n"), ["fluxlight: skipping HelmRelease: the cluster does not serve helmreleases.helm.toolkit.fluxcd.io (CRD not installed)"]);
      assert.deepEqual([...rows(asked.stdout).keys()], ["Kustomization/flux-system/main"]);

      const every = await c.status();
      assert.equal(every.code, 0);
      assert.equal(every.stderr, "");
      assert.equal(rows(every.stdout).size, 2);
    }));

  test("no Flux CRDs at all: unknown, exit 3, the cause and the fix on stderr", () =>
    withCluster([], { crds: [] }, async (c) => {
      const r = await c.status();
      assert.equal(r.code, 3);
      assert.equal(r.stdout, "signal: unknown\n");
      assert.match(r.stderr, /Flux CRDs missing: the cluster serves none of .*kustomizations\.kustomize\.toolkit\.fluxcd\.io.*install Flux/);
      const json = await c.status({ output: "json" });
      assert.deepEqual(JSON.parse(json.stdout), { signal: "unknown", objects: [] });
    }));

  test("403 on a kind: unknown, exit 3, the ClusterRole rule that fixes it named", () =>
    withCluster(homelab(), {}, async (c) => {
      c.server.forbid({ resource: "kustomizations", verb: "list" });
      const r = await c.status();
      assert.equal(r.code, 3);
      assert.match(r.stdout, /signal: unknown\n$/);
      assert.match(r.stderr, /403 Forbidden: .*cannot list resource "kustomizations"/);
      assert.match(r.stderr, /bind a ClusterRole with the ClusterRole rule \{apiGroups: \["kustomize\.toolkit\.fluxcd\.io"\], resources: \["kustomizations"\], verbs: \["list", "watch"\]\}/);
    }));

  test("403 in one namespace (--namespace): the fix names a Role in that namespace", () =>
    withCluster(homelab(), {}, async (c) => {
      c.server.forbid({ resource: "kustomizations", verb: "list", namespace: "flux-system" });
      const r = await c.status({ namespaces: ["flux-system"] });
      assert.equal(r.code, 3);
      assert.match(r.stderr, /403 Forbidden: .*in the namespace "flux-system"/);
      assert.match(r.stderr, /cannot list kustomizations\.kustomize\.toolkit\.fluxcd\.io in the namespace flux-system; bind a Role there \(or a ClusterRole\) with the rule \{apiGroups: \["kustomize\.toolkit\.fluxcd\.io"\]/);
      assert.doesNotMatch(r.stderr, /at the cluster scope; bind/);
    }));

  test("401: unknown, exit 3, the credentials named as the cause", () =>
    withCluster(homelab(), {}, async (c) => {
      c.server.setToken("rotated");
      const r = await c.status();
      assert.equal(r.code, 3);
      assert.match(r.stderr, /401 Unauthorized.*check the kubeconfig user or the service account token/);
    }));

  test("an API server that is down: unknown, exit 3, the server named", async () => {
    const c = await cluster(homelab());
    await c.server.stop();
    try {
      const r = await c.status();
      assert.equal(r.code, 3);
      assert.match(r.stderr, /cannot reach the API server: .*ECONNREFUSED.*check that http:\/\/127\.0\.0\.1:\d+ is reachable/);
    } finally {
      await c.close();
    }
  });

  test("usage errors exit 2 with one line: no kubeconfig, an unknown context, an unknown kind", async () => {
    const missing = await status({ kubeconfig: "/nonexistent/kubeconfig", namespaces: [], output: "table" });
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, "");
    assert.equal(missing.stderr, "fluxlight: --kubeconfig: /nonexistent/kubeconfig does not exist\n");

    await withCluster([], {}, async (c) => {
      const context = await c.status({ contexts: ["prod"] });
      assert.equal(context.code, 2);
      assert.match(context.stderr, /^fluxlight: --context: no context "prod" in .* \(it has: fluxlight-sim\)\n$/);
      const kind = await c.status({ kinds: ["Deployment"] });
      assert.equal(kind.code, 2);
      assert.match(kind.stderr, /^fluxlight: --kinds: "Deployment" is not a Flux kind/);
    });
  });

  test("reasons from the cluster are escaped too", () =>
    withCluster([], {}, async (c) => {
      // The CRD's pattern keeps control characters out of a reason, but what a broken webhook or
      // an older stored version delivers is not validated: the JSON keeps it, the table never
      // shows it raw.
      const weird = bucket({ name: "caddy-bucket", ready: "False" });
      weird.status = {
        observedGeneration: 1,
        conditions: [{ type: "Ready", status: "False", reason: "Weird\x1b[2J", message: "m\u009b", lastTransitionTime: "2026-07-01T12:00:00Z", observedGeneration: 1 }],
      };
      c.server.createUnchecked(weird);
      const r = await c.status();
      assert.equal(r.code, 1);
      assertPrintable(r.stdout.replaceAll("\n", ""));
      const json = await c.status({ output: "json" });
      assert.equal((JSON.parse(json.stdout) as { objects: { reason: string }[] }).objects[0]!.reason, "Weird\x1b[2J");
      assertPrintable(json.stdout.replaceAll("\n", ""));
    }));

  test("controllers: a section for each controller that reconciles a served kind; a dead one makes the answer failed", () =>
    withCluster([kustomization({ name: "apps", ready: "True" })], { crds: ["Kustomization", "Bucket"] }, async (c) => {
      const flux = new FluxRuntime(c.server, { renewEveryMs: 60_000 }).start();
      try {
        const up = await c.status();
        assert.equal(up.code, 0, up.stderr);
        assert.match(up.stdout, /\nCONTROLLER +NAMESPACE +RUNNING +DEPLOYMENT +LEASE HOLDER +LEASE RENEWED\nkustomize-controller +flux-system +True +1\/1 available +kustomize-controller-\S+ +\d{4}-\S+Z\nsource-controller +flux-system +True +1\/1 available/);
        assert.doesNotMatch(up.stdout, /helm-controller/, "no HelmRelease served: helm-controller does not matter");
        flux.kill("kustomize-controller");
        const down = await c.status();
        assert.equal(down.code, 1);
        assert.match(down.stdout, /kustomize-controller +flux-system +False +0\/1 available/);
        assert.match(down.stdout, /signal: failed\n$/);
        const json = JSON.parse((await c.status({ output: "json" })).stdout) as { signal: string; controllers: { name: string; running: boolean | null; message: string }[] };
        assert.equal(json.signal, "failed");
        assert.deepEqual(json.controllers.map((r) => [r.name, r.running]), [["kustomize-controller", false], ["source-controller", true]]);
        assert.match(json.controllers[0]!.message, /^kustomize-controller is not running: .*Deployment 0\/1 available$/);
      } finally {
        flux.stop();
      }
    }));

  test("controllers: leases and deployments forbidden: unknown, with the Role rule; the objects alone decide", () =>
    withCluster([kustomization({ name: "apps", ready: "True" })], {}, async (c) => {
      c.server.forbid({ resource: "leases" });
      c.server.forbid({ resource: "deployments" });
      const r = await c.status();
      assert.equal(r.code, 0);
      assert.match(r.stdout, /controllers: unknown: cannot read leases or deployments in flux-system \(HTTP 403: .*\); to fix, grant a Role in namespace flux-system with the rules \{apiGroups: \["apps"\], resources: \["deployments"\], verbs: \["list", "watch"\]\} and \{apiGroups: \["coordination.k8s.io"\], resources: \["leases"\], verbs: \["list", "watch"\]\}/);
      const json = JSON.parse((await c.status({ output: "json" })).stdout) as { controllers: { unknown: string } };
      assert.match(json.controllers.unknown, /^cannot read leases or deployments/);
    }));

  test("a silent API server (a partition): exit 3 at the deadline, naming the server that did not answer", () =>
    withCluster([kustomization({ name: "apps", ready: "True" })], {}, async (c) => {
      c.server.silence();
      let stderr = "";
      const code = await runStatus({ kubeconfig: c.kubeconfig, namespaces: [], output: "table" }, { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: { HOME: "/nonexistent" }, deadlineMs: 1500 });
      assert.equal(code, 3);
      assert.match(stderr, /cannot reach the API server: no answer from 127\.0\.0\.1:\d+ within 2 s/);
      c.server.heal();
    }));

  test("two contexts: a CLUSTER column, a section per cluster, the failure of either is the signal; one silent is unknown, named", async () => {
    const home = await startCluster([kustomization({ name: "apps", ready: "True" })]);
    const away = await startCluster([kustomization({ name: "apps", ready: "False", reason: "BuildFailed", message: "kustomize build failed" })]);
    try {
      const docs = [["home", home], ["away", away]].map(([context, c]) => parse(kubeconfigYaml({ server: (c as typeof home).server.url, token: "fluxlight-sim-token", context: context as string })) as Record<string, unknown[]>);
      const kubeconfig = join(home.dir, "two.yaml");
      writeFileSync(kubeconfig, stringify({ apiVersion: "v1", kind: "Config", ...Object.fromEntries(["clusters", "users", "contexts"].map((k) => [k, docs.flatMap((d) => d[k]!)])), "current-context": "home" }));
      const r = await status({ kubeconfig, contexts: ["home", "away"], namespaces: [], output: "table" });
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stdout.split("\n");
      assert.match(lines[0]!, /^CLUSTER +KIND +NAMESPACE +NAME +READY +VERDICT +SUSPENDED +MESSAGE$/);
      assert.match(lines[1]!, /^away +Kustomization +flux-system +apps +False +failed +False +kustomize build failed$/);
      assert.match(lines[2]!, /^home +Kustomization +flux-system +apps +True +ready +False/);
      assert.match(r.stdout, /\ncluster home \(http:\/\/127\.0\.0\.1:\d+\): synced\n[\s\S]*\ncluster away \(http:\/\/127\.0\.0\.1:\d+\): synced\n[\s\S]*signal: failed\n$/);
      const json = JSON.parse((await status({ kubeconfig, contexts: ["home", "away"], namespaces: [], output: "json" })).stdout) as { objects: { cluster: string; verdict: string }[]; clusters: { name: string; state: string }[] };
      assert.deepEqual(json.objects.map((o) => [o.cluster, o.verdict]), [["away", "failed"], ["home", "ready"]]);
      assert.deepEqual(json.clusters.map((c) => [c.name, c.state]), [["home", "synced"], ["away", "synced"]]);

      away.server.silence();
      let stderr = "";
      const code = await runStatus({ kubeconfig, contexts: ["home", "away"], namespaces: [], output: "table" }, { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: { HOME: "/nonexistent" }, deadlineMs: 1500 });
      assert.equal(code, 3, "home is all ready, away cannot be seen: unknown, never ok");
      assert.match(stderr, /the light would show unknown: cluster away: cannot reach the API server: no answer from 127\.0\.0\.1:\d+ within 2 s/);
      away.server.heal();
    } finally {
      await away.stop();
      await home.stop();
    }
  });
});

test("with a lights file: one signal per light over its own scope; the exit code is the worst light's", async () => {
  const { parseLightsFile } = await import("../../agent/cli/lights-file.ts");
  const file = parseLightsFile("lights:\n  - {name: platform, led: single:13, namespaces: [infra]}\n  - {name: apps, led: single:12, namespaces: [apps]}\n  - {name: nobody, led: single:11, names: [apps/nothing-*]}\n");
  assert.ok(file.ok);
  await withCluster([kustomization({ name: "core", namespace: "infra", ready: "True" }), kustomization({ name: "web", namespace: "apps", ready: "False", reason: "BuildFailed", message: "kustomize build failed" })], {}, async (c) => {
    const table = await c.status({ lights: file.value });
    assert.equal(table.code, 1, `apps failed: ${table.stderr}`);
    assert.deepEqual(table.stdout.trimEnd().split("\n").slice(-3), ["signal platform: ok", "signal apps: failed", "signal nobody: unknown"]);
    assert.match(table.stderr, /the light nobody would show unknown: no Flux objects found \(check the light's namespaces, selector, kinds and names in the lights file\)/);
    assert.equal(c.server.count({ verb: "list", kind: "Kustomization" }), 2, "one list in infra, one in apps (where apps/nothing-* is too)");
    const json = JSON.parse((await c.status({ lights: file.value, output: "json" })).stdout);
    assert.equal(json.signal, "failed");
    assert.deepEqual(json.lights.map((l: { name: string; signal: string }) => [l.name, l.signal]), [["platform", "ok"], ["apps", "failed"], ["nobody", "unknown"]]);
  });
});
