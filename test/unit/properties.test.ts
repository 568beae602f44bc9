// Property tests (fast-check) for every parser that takes outside input: what the API server
// sends (the pruner, the list splitter, the line splitter), what a terminal is shown, and what a
// user types (durations, LED specs, flags, kubeconfig files, HTTP request targets). Each property
// is checked against a reference — JSON.parse for the JSON scanners — on generated inputs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StringDecoder } from "node:string_decoder";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import fc from "fast-check";
import { withoutFields } from "../../agent/kube/prune.ts";
import { listParser } from "../../agent/kube/list-json.ts";
import { lineSplitter } from "../../agent/kube/lines.ts";
import { UNREAD_FIELDS } from "../../agent/source/project.ts";
import { disarmJson, escapeText } from "../../agent/text/escape.ts";
import { parseDuration } from "../../agent/shared/duration.ts";
import { formatDuration } from "../../agent/shared/duration.ts";
import { formatLedSpec, parseLedSpec, type LedSpec } from "../../agent/light/led-spec.ts";
import { parseConfig } from "../../agent/cli/config.ts";
import { loadKubeConfig, UsageError } from "../../agent/cli/kubeconfig.ts";
import { startHttp, targetPath } from "../../agent/http/server.ts";

const RUNS = { numRuns: 300 };
/** Any UTF-16 code unit, lone surrogates included. */
const char16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const KEYS: readonly string[] = UNREAD_FIELDS;

// ---- JSON text, written every way JSON allows --------------------------------------------------

/** Strings with quotes, backslashes, controls, escapes' look-alikes, multi-byte UTF-8 and astral characters. */
const tricky = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", '"', "\\", "\\\\", "u", "0", ":", ",", "{", "}", "[", "]", "\n", "\u0000", "é", "€", "😀", "\u2028", ...KEYS.map((k) => `"${k}":`)), maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
);
const keyName = fc.oneof(fc.constantFrom(...KEYS, "metadata", "name", "items", "a"), tricky);

type Doc = { text: string };
/** A key as JSON text: plainly, or with some characters written as \u escapes (which the pruner does not see). */
const keyText = (k: string) =>
  fc.boolean().map((escape) => (escape && k.length > 0 ? `"${[...k].map((c, i) => (i === 0 && c.charCodeAt(0) < 0x10000 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : JSON.stringify(c).slice(1, -1))).join("")}"` : JSON.stringify(k)));
const ws = fc.constantFrom("", "", "", " ", "\n ", "\t");

const { json } = fc.letrec<{ json: Doc; obj: Doc; arr: Doc; prim: Doc }>((tie) => ({
  json: fc.oneof({ depthSize: "small", withCrossShrink: true }, tie("prim"), tie("obj"), tie("arr")),
  prim: fc.oneof(fc.constantFrom("null", "true", "false", "0", "-1.5e3", "12"), tricky.map((s) => JSON.stringify(s))).map((text) => ({ text })),
  arr: fc.array(fc.tuple(ws, tie("json")), { maxLength: 4 }).map((xs) => ({ text: `[${xs.map(([w, d]) => w + d.text).join(",")}]` })),
  // Keys may repeat (JSON.parse keeps the last); a space may come after the colon.
  obj: fc
    .array(fc.tuple(keyName.chain(keyText), ws, tie("json")), { maxLength: 5 })
    .map((entries) => ({ text: `{${entries.map(([k, w, d]) => `${k}:${w}${d.text}`).join(",")}}` })),
}));

/**
 * `pruned` is what the pruner may make of `orig`: the same value, except that the value of a
 * key it drops is null — or kept, when the key was written so that it is not found (escapes).
 */
function related(orig: unknown, pruned: unknown, key?: string): boolean {
  if (key !== undefined && KEYS.includes(key) && pruned === null) return true;
  if (orig === null || typeof orig !== "object") return Object.is(orig, pruned);
  if (pruned === null || typeof pruned !== "object" || Array.isArray(orig) !== Array.isArray(pruned)) return false;
  if (Array.isArray(orig)) return orig.length === (pruned as unknown[]).length && orig.every((v, i) => related(v, (pruned as unknown[])[i]));
  const a = Object.keys(orig);
  const b = Object.keys(pruned);
  return a.length === b.length && a.every((k) => Object.hasOwn(pruned, k) && related((orig as Record<string, unknown>)[k], (pruned as Record<string, unknown>)[k], k));
}

test("pruner: on any JSON text it agrees with JSON.parse, up to the dropped values", () => {
  fc.assert(
    fc.property(json, ({ text }) => {
      const orig = JSON.parse(text) as unknown;
      const pruned = JSON.parse(withoutFields(text, KEYS)) as unknown;
      assert.ok(related(orig, pruned), `${text}\n→ ${withoutFields(text, KEYS)}`);
    }),
    RUNS,
  );
});

test("pruner: a plainly written key's value is always dropped, wherever it is", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom(...KEYS), json), { minLength: 1, maxLength: 4 }), (entries) => {
      const text = `{"wrap":[{${entries.map(([k, d]) => `${JSON.stringify(k)}:${d.text}`).join(",")}}]}`;
      const pruned = JSON.parse(withoutFields(text, KEYS)) as { wrap: Record<string, unknown>[] };
      for (const [k] of entries) assert.equal(pruned.wrap[0]![k], null);
    }),
    RUNS,
  );
});

/** `text` as the socket delivers it: UTF-8 bytes cut anywhere (inside escapes, inside a character), decoded chunk by chunk. */
const chunked = (text: string, cuts: number[]): string[] => {
  const bytes = Buffer.from(text, "utf8");
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const decoder = new StringDecoder("utf8");
  const out: string[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    out.push(decoder.write(bytes.subarray(from, c)));
    from = c;
  }
  out.push(decoder.end());
  return out.filter((s) => s.length > 0);
};

const objectDoc = fc.letrec<{ o: Doc }>((tie) => ({ o: fc.oneof(json.filter((d) => d.text.startsWith("{")), tie("o")) })).o;

test("list splitter: items and fields equal JSON.parse's, however the bytes are cut", () => {
  fc.assert(
    fc.property(fc.array(objectDoc, { maxLength: 5 }), json, fc.array(fc.nat(), { maxLength: 30 }), ws, (items, meta, cuts, w) => {
      const text = `{"apiVersion":"v1",${w}"items":${w}[${items.map((i) => w + i.text).join(",")}],"kind":"List","metadata":${meta.text}}`;
      const got: unknown[] = [];
      const parser = listParser((i) => got.push(i));
      for (const c of chunked(text, cuts)) parser.write(c);
      const rest = parser.end();
      const whole = JSON.parse(text) as Record<string, unknown>;
      assert.deepEqual(got, whole.items);
      delete whole.items;
      assert.deepEqual(rest, whole);
    }),
    RUNS,
  );
});

test("list splitter with the pruner: each item is related to JSON.parse's; oversize items are skipped, never parsed", () => {
  fc.assert(
    fc.property(fc.array(objectDoc, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 30, max: 200 }), (items, cuts, max) => {
      const text = `{"items":[${items.map((i) => i.text).join(",")}],"metadata":{}}`;
      const got: unknown[] = [];
      const skipped: number[] = [];
      const parser = listParser((i) => got.push(i), (t) => withoutFields(t, KEYS), { maxItem: max, onOversize: (n) => skipped.push(n) });
      for (const c of chunked(text, cuts)) parser.write(c);
      parser.end();
      const kept = items.filter((i) => i.text.length <= max);
      assert.equal(got.length, kept.length);
      assert.deepEqual(skipped, items.filter((i) => i.text.length > max).map((i) => i.text.length));
      kept.forEach((i, n) => assert.ok(related(JSON.parse(i.text), got[n])));
    }),
    RUNS,
  );
});

test("list splitter: invalid JSON throws a SyntaxError or is refused; it never hangs or returns garbage for valid lists", () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom("{", "}", "[", "]", '"', "\\", ",", ":", "items", "a", " ", "1"), maxLength: 40 }), (text) => {
      const parser = listParser(() => {});
      try {
        parser.write(text);
        parser.end();
      } catch (err) {
        assert.ok(err instanceof SyntaxError, String(err));
      }
    }),
    { numRuns: 1000 },
  );
});

// ---- lines -------------------------------------------------------------------------------------

test("line splitter: every line comes out once, a last line without a newline included, however the bytes are cut", () => {
  const line = fc.string({ unit: fc.constantFrom("a", "é", "😀", "\r", " ", "{", '"'), maxLength: 20 });
  fc.assert(
    fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }), (lines, trailing, cuts, max) => {
      const text = lines.join("\n") + (trailing && lines.length ? "\n" : "");
      const got: string[] = [];
      const oversize: number[] = [];
      const split = lineSplitter((l) => got.push(l), { maxLine: max, onOversize: (n) => oversize.push(n) });
      for (const c of chunked(text, cuts)) split(c);
      split.end();
      const fits = (l: string) => max === undefined || l.length <= max;
      assert.deepEqual(got, lines.filter((l) => l.trim() && fits(l)));
      assert.equal(oversize.length, lines.filter((l) => !fits(l)).length);
    }),
    RUNS,
  );
});

// ---- terminals ---------------------------------------------------------------------------------

// eslint-disable-next-line no-control-regex -- what a terminal acts on
const ACTS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

test("escapeText: nothing a terminal acts on survives; printable text is left as written", () => {
  fc.assert(
    fc.property(fc.string({ unit: fc.oneof(fc.constantFrom("\u001b", "\u009b", "\u202e", "\u2066", "\u0085", "\ud800", "\udc00", "\n", "\\"), char16), maxLength: 40 }), (s) => {
      assert.doesNotMatch(escapeText(s), ACTS);
    }),
    { numRuns: 1000 },
  );
  fc.assert(fc.property(fc.string({ unit: fc.constantFrom("a", "Z", " ", "\\", "é", "😀", "/", "{") }), (s) => assert.equal(escapeText(s), s)), RUNS);
});

test("disarmJson: the same JSON value, with nothing raw a terminal acts on", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: fc.oneof(fc.constantFrom("\u009b", "\u202e", "\u007f", "\u2028"), char16) }), (v, s) => {
      const value = { v, s };
      const out = disarmJson(JSON.stringify(value));
      assert.doesNotMatch(out, ACTS);
      assert.deepEqual(JSON.parse(out), JSON.parse(JSON.stringify(value)));
    }),
    RUNS,
  );
});

// ---- what users type ---------------------------------------------------------------------------

test("durations: every formatted duration parses back to itself; any text parses or is refused with a reason", () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 10 * 24 * 3_600_000 }), (ms) => assert.deepEqual(parseDuration(formatDuration(ms)), { ok: true, value: ms })), RUNS);
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("1", ".", "h", "m", "s", "µ", "n", "+", "-", "e") })), (text) => {
      const r = parseDuration(text);
      if (r.ok) assert.ok(Number.isFinite(r.value) && r.value >= 0, text);
      else assert.ok(r.error.includes(JSON.stringify(text)), r.error);
    }),
    { numRuns: 1000 },
  );
});

test("LED specs: every spec formats and parses back; any text parses or is refused naming it", () => {
  const pin = fc.integer({ min: 2, max: 19 }); // 0 and 1 are the serial line
  const spec: fc.Arbitrary<LedSpec> = fc.oneof(
    pin.map((p) => ({ kind: "single" as const, pin: p })),
    fc.tuple(pin, pin, pin, fc.boolean()).filter(([r, g, b]) => new Set([r, g, b]).size === 3).map(([red, green, blue, anode]) => ({ kind: "rgb" as const, pins: { red, green, blue }, anode })),
    fc.tuple(pin, pin, pin).filter(([r, y, g]) => new Set([r, y, g]).size === 3).map(([red, yellow, green]) => ({ kind: "traffic" as const, pins: { red, yellow, green } })),
  );
  fc.assert(fc.property(spec, (s) => assert.deepEqual(parseLedSpec(formatLedSpec(s)), { ok: true, value: s })), RUNS);
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom("single", "rgb", "-anode", "traffic", ":", ",", "1", "9", "A", " ") })), (text) => {
      const r = parseLedSpec(text);
      if (!r.ok) assert.ok(r.error.length > 0);
    }),
    { numRuns: 1000 },
  );
});

test("flags and environment: any argv and env give a config or one error line; never a throw", () => {
  const word = fc.oneof(fc.string(), fc.constantFrom("run", "status", "demo", "help", "--http", "--led", "--namespace", "--kind", "--selector", "--progress-grace", "--log-level", "--log-format", "--serial", "--usb-id", "--heartbeat-timeout", "=", "--", "-"));
  const envKey = fc.constantFrom("FLUXLIGHT_LED", "FLUXLIGHT_HTTP", "FLUXLIGHT_NAMESPACE", "FLUXLIGHT_KIND", "FLUXLIGHT_PROGRESS_GRACE", "FLUXLIGHT_LOG_LEVEL", "FLUXLIGHT_USB_ID", "OTHER");
  fc.assert(
    fc.property(fc.array(word, { maxLength: 6 }), fc.dictionary(envKey, fc.string()), (argv, env) => {
      const r = parseConfig(argv, env);
      if (!r.ok) assert.ok(r.error.length > 0 && !r.error.includes("\n"), r.error);
    }),
    { numRuns: 1000 },
  );
});

test("kubeconfig files: any content loads or is refused with a UsageError naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "fluxlight-prop-"));
  try {
    const path = join(dir, "kubeconfig");
    const yamlish = fc.string({ unit: fc.constantFrom("apiVersion: v1\n", "clusters:\n", "- ", "name: a\n", "  cluster:\n", "    server: ", "https://x\n", "contexts: ", "current-context: a\n", "users: []\n", "[", "{", "}", ":", "\t", "&a ", "*a ", "!!binary ", "\n") });
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string()), (text) => {
        writeFileSync(path, text);
        try {
          loadKubeConfig({ kubeconfig: path }, {});
        } catch (err) {
          assert.ok(err instanceof UsageError, `${String(err)} for ${JSON.stringify(text)}`);
        }
      }),
      RUNS,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- HTTP request targets ----------------------------------------------------------------------

test("request targets: targetPath is total; the server answers any target with a status, and keeps serving", async () => {
  fc.assert(fc.property(fc.string(), (t) => void targetPath(t)), { numRuns: 1000 });
  fc.assert(fc.property(fc.string().map((s) => `/${s.replace(/[?#]/g, "")}`), (p) => assert.equal(targetPath(p), p)), RUNS);

  const snapshot = { lights: [{ name: "lights[0]", signal: "ok" as const, lastTransitionAt: 0 }], objects: [], board: { state: "searching" as const, connected: false }, watching: true, watchRestarts: 0, events: 0 };
  const quiet = { info() {}, warn() {}, error() {} } as unknown as Parameters<typeof startHttp>[2];
  const server = await startHttp({ host: "127.0.0.1", port: 0 }, () => snapshot, quiet, { processMetrics: false });
  const ask = (target: string) =>
    new Promise<string>((resolve) => {
      const s = connect(server.port, "127.0.0.1", () => s.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let got = "";
      s.on("data", (b) => (got += b.toString("latin1")));
      s.on("close", () => resolve(got.split("\r\n")[0] ?? ""));
      s.on("error", () => resolve(got.split("\r\n")[0] ?? ""));
    });
  try {
    const target = fc.string({ unit: fc.constantFrom("/", "/", "healthz", "metrics", "%", "%zz", "?", "#", ":", "@", "http:", "..", "*", "\u00e9", "[", "\\"), minLength: 1, maxLength: 10 });
    await fc.assert(
      fc.asyncProperty(target, async (t) => {
        const status = await ask(t);
        assert.match(status, /^HTTP\/1\.1 (200|400|404|405) /, `${JSON.stringify(t)} → ${status}`);
      }),
      { numRuns: 150 },
    );
    assert.match(await ask("/healthz"), / 200 /);
  } finally {
    await server.close();
  }
});
