// Shared by every output (logs, `fluxlight status`, the demo). Text from the cluster (names, reasons, messages, API errors) is untrusted: a condition message
// can carry ESC sequences that recolour, retitle or rewrite a terminal, or bidi controls that
// make a line read as something else. Nothing from the cluster reaches a terminal unescaped.

/** Characters a terminal acts on rather than prints: C0, DEL, C1. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Unicode characters that reorder or break lines without being controls in the C0/C1 sense:
 * line/paragraph separators and the bidi embeddings, overrides and isolates ("Trojan Source"),
 * plus lone surrogates, which no terminal can print.
 */
const INVISIBLE = /[\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const DANGEROUS = new RegExp(`${CONTROL.source}|${INVISIBLE.source}`, "g");
/** What JSON.stringify leaves raw: everything above but C0 (which it escapes in strings, and uses as indentation). */
const RAW_IN_JSON = new RegExp(`[\u007f-\u009f]|${INVISIBLE.source}`, "g");

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One line of printable text: newline, CR and tab by their usual names, other C0/DEL/C1 as
 * \xHH, the invisible Unicode above as \u{HHHH}. An ESC sequence thus prints as `\x1b[31m`:
 * escaping its ESC is what disarms it. Backslashes are left alone, so a Windows path or a
 * regular expression in a message reads as written (the escapes are for eyes, not for parsing).
 */
export function escapeText(text: string): string {
  return text.replace(DANGEROUS, (c) => {
    const named = NAMED[c];
    if (named) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}

/**
 * JSON.stringify escapes C0 by itself but writes DEL, C1 and the invisible characters raw, and
 * an xterm in UTF-8 mode still obeys a raw C1 CSI. Re-escaped as \uXXXX, the text is the same
 * JSON value (a parser reads back exactly the message) that a terminal can show safely.
 */
export function safeJson(value: unknown, indent?: number): string {
  return disarmJson(JSON.stringify(value, null, indent));
}

/** The same re-escaping for JSON text already written (a log line): the value is unchanged. */
export function disarmJson(json: string): string {
  return json.replace(RAW_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
