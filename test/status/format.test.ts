// The pure half of `fluxlight status`: escaping, the table, the JSON, the one-shot signal and
// the exit codes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ObjectView } from "../../agent/model.ts";
import { escapeText, safeJson } from "../../agent/text/escape.ts";
import { formatTable } from "../../agent/cli/table.ts";
import { buildReport, exitCodeFor, formatStatusJson, formatStatusTable, readyColumn, type StatusRow } from "../../agent/cli/status-report.ts";

const NASTY = "apply failed: \x1b[31mred\x1b[0m\rover\x07bell\u009b2J tab\there\nsecond line\u007f";

/** Nothing a terminal acts on: no C0 (but the line ends), DEL, C1 or bidi/line-separator control. */
function assertPrintable(text: string): void {
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const bad = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.exec(text);
  assert.equal(bad, null, `raw ${JSON.stringify(bad?.[0])} in ${JSON.stringify(text)}`);
}

function view(o: Partial<ObjectView> & { name: string }): ObjectView {
  return { kind: "Kustomization", namespace: "flux-system", suspend: false, conditions: [], generation: 1, ...o };
}

const ready = (status: "True" | "False" | "Unknown", reason: string, message: string) => [{ type: "Ready", status, reason, message, observedGeneration: 1 }];

describe("escapeText", () => {
  test("ESC sequences, CR, BEL, C1 and DEL print as escapes", () => {
    assert.equal(
      escapeText(NASTY),
      "apply failed: \\x1b[31mred\\x1b[0m\\rover\\x07bell\\x9b2J tab\\there\\nsecond line\\x7f",
    );
  });
  test("bidi overrides, line separators and lone surrogates as \\u{...}; ordinary Unicode untouched", () => {
    assert.equal(escapeText("a\u202eb\u2028c\ud800d"), "a\\u{202e}b\\u{2028}c\\u{d800}d");
    assert.equal(escapeText("naïve ✓ 日本 🚀 C:\\path"), "naïve ✓ 日本 🚀 C:\\path");
  });
});

describe("safeJson", () => {
  test("reads back as the same value, with DEL, C1 and bidi controls escaped", () => {
    const value = { message: NASTY + "\u202e" };
    const text = safeJson(value, 2);
    assertPrintable(text.replaceAll("\n", ""));
    assert.deepEqual(JSON.parse(text), value);
    assert.match(text, /\\u009b/);
  });
});

describe("formatTable", () => {
  test("columns as wide as their widest cell, three spaces apart, no trailing blanks, nothing cut", () => {
    const long = "x".repeat(300);
    const out = formatTable(["A", "BB", "C"], [["aaaa", "b", long], ["a", "bbbbbb", ""]]);
    assert.equal(out, ["A      BB       C", `aaaa   b        ${long}`, "a      bbbbbb", ""].join("\n"));
  });
  test("widths count what is printed: an escaped cell is as wide as its escapes, an emoji is one", () => {
    const out = formatTable(["NAME", "X"], [["a\x1bb", "1"], ["🚀", "2"]]).split("\n");
    assert.equal(out[1], "a\\x1bb   1");
    assert.equal(out[1]!.lastIndexOf("1"), out[0]!.indexOf("X"));
    assert.equal([...out[2]!].indexOf("2"), out[0]!.indexOf("X"));
  });
});

describe("status table and JSON", () => {
  const views: ObjectView[] = [
    view({ name: "main", conditions: ready("False", "BuildFailed", NASTY) }),
    view({ kind: "Bucket", name: "caddy-bucket", conditions: ready("True", "Succeeded", "stored artifact: revision 'sha256:abc'") }),
    view({ name: "new", namespace: "apps" }),
    view({ name: "evil\x1b]0;pwned\x07", namespace: "apps", suspend: true, conditions: ready("True", "ReconciliationSucceeded", "Applied revision: r1") }),
  ];
  const report = buildReport(views, { state: "synced" }, 1_000);

  test("rows come sources first, then by namespace and name; READY as flux get prints it", () => {
    assert.deepEqual(report.rows.map((r) => `${r.kind}/${r.namespace}/${r.name}:${r.ready}:${r.verdict}`), [
      "Bucket/flux-system/caddy-bucket:True:ready",
      "Kustomization/apps/evil\x1b]0;pwned\x07:True:suspended",
      "Kustomization/apps/new:False:progressing",
      "Kustomization/flux-system/main:False:failed",
    ]);
    assert.equal(report.rows.find((r) => r.name === "new")?.message, "waiting to be reconciled");
  });

  test("the table: header, aligned rows, the message and name escaped, the signal last", () => {
    const text = formatStatusTable(report);
    assertPrintable(text.replaceAll("\n", "|"));
    const lines = text.split("\n");
    assert.equal(lines.at(-1), "");
    assert.equal(lines.at(-2), "signal: failed");
    const header = lines[0]!;
    assert.match(header, /^KIND +NAMESPACE +NAME +READY +VERDICT +SUSPENDED +MESSAGE$/);
    for (const line of lines.slice(1, 5)) {
      // Each column starts where its header does.
      for (const col of ["NAMESPACE", "NAME", "READY", "VERDICT", "SUSPENDED", "MESSAGE"]) {
        const at = header.indexOf(col);
        assert.notEqual(line[at - 1], undefined);
        assert.equal(line[at - 1], " ", `${col} in ${line}`);
        assert.notEqual(line[at], " ", `${col} in ${line}`);
      }
    }
    assert.ok(lines.some((l) => l.includes("evil\\x1b]0;pwned\\x07") && /\bTrue +suspended +True\b/.test(l)));
    assert.ok(lines.some((l) => l.endsWith("apply failed: \\x1b[31mred\\x1b[0m\\rover\\x07bell\\x9b2J tab\\there\\nsecond line\\x7f")));
    assert.equal(lines.length, 7, "a multi-line message stays on its row");
  });

  test("no objects: the signal line alone", () => {
    assert.equal(formatStatusTable({ signal: "unknown", rows: [] }), "signal: unknown\n");
  });

  test("the JSON: the documented shape, messages as the cluster wrote them", () => {
    const text = formatStatusJson(report);
    assertPrintable(text.replaceAll("\n", ""));
    const doc = JSON.parse(text) as { signal: string; objects: Record<string, unknown>[] };
    assert.equal(doc.signal, "failed");
    assert.deepEqual(doc.objects.find((o) => o.name === "main"), {
      kind: "Kustomization",
      namespace: "flux-system",
      name: "main",
      verdict: "failed",
      ready: "False",
      reason: "BuildFailed",
      message: NASTY,
      suspended: false,
    });
    assert.equal(doc.objects.length, 4);
    assert.ok(doc.objects.every((o) => Object.keys(o).join() === "kind,namespace,name,verdict,ready,reason,message,suspended"));
  });
});

describe("the one-shot signal", () => {
  const ok = view({ name: "a", conditions: ready("True", "ReconciliationSucceeded", "Applied") });
  const progressing = view({ name: "b", conditions: ready("Unknown", "Progressing", "Reconciliation in progress") });
  const failed = view({ name: "c", conditions: ready("False", "HealthCheckFailed", "timeout") });
  const signal = (views: ObjectView[], c: Parameters<typeof buildReport>[1] = { state: "synced" }) => buildReport(views, c, 5_000).signal;

  test("all ready → ok; one failed → failed, worst first", () => {
    assert.equal(signal([ok]), "ok");
    assert.equal(signal([ok, progressing, failed]), "failed");
  });
  test("an object progressing now reads progressing, with no grace to wait out", () => {
    assert.equal(signal([ok, progressing]), "progressing");
    assert.equal(signal([view({ name: "fresh" })]), "progressing");
  });
  test("suspended objects are left out; nothing counted → unknown", () => {
    assert.equal(signal([ok, view({ name: "s", suspend: true })]), "ok");
    assert.equal(signal([view({ name: "s", suspend: true })]), "unknown");
    assert.equal(signal([]), "unknown");
  });
  test("no view of the cluster → unknown at once, whatever the objects", () => {
    assert.equal(signal([ok], { state: "denied", error: "403", fix: "bind a role" }), "unknown");
    assert.equal(signal([], { state: "missing-crd", error: "none", fix: "install Flux" }), "unknown");
    assert.equal(signal([ok], { state: "unreachable", since: 5_000, error: "ECONNREFUSED" }), "unknown");
  });
  test("READY for an unreadable object is Unknown, not a guess", () => {
    assert.equal(readyColumn(view({ name: "u", unreadable: "status.conditions is a string" })), "Unknown");
  });
});

describe("exit codes", () => {
  test("0 ok, 1 failed, 3 progressing/unknown/starting", () => {
    assert.deepEqual(
      (["ok", "failed", "progressing", "unknown", "starting"] as const).map(exitCodeFor),
      [0, 1, 3, 3, 3],
    );
  });
});

// Keeps StatusRow's fields in step with the JSON test above.
const _row: StatusRow = { kind: "", namespace: "", name: "", ready: "", verdict: "ready", reason: "", message: "", suspended: false };
void _row;
