// Fields the agent never reads, dropped from an object's JSON text before it is parsed. Most of a
// Flux object's bytes are its managedFields and its status inventory (HelmRelease: its values);
// parsing them only to throw them away was most of the cost of a watch event (BENCHMARKS.md).
//
// A key is found as the exact text `"name":`. Inside a JSON string every quote is escaped, so that
// text can only be a key — unless its first quote is itself escaped, which is checked. Its value
// becomes null; a key written with spaces around the colon, or with escapes (`"hist\u006fry"`),
// is simply left in (the projection ignores it anyway).
//
// One pass, linear in the text: every key is searched for at once, the text after a dropped
// value is never searched again, and the output is built from slices joined once at the end. (It
// used to rebuild the whole string at each match: a HelmRelease with 40,000 `history` keys in its
// values took 15 s.)

import { backslashesBefore } from "./json-text.ts";

const patterns = new Map<string, RegExp>();

/** One regular expression finding any of `keys` as a key. */
function patternFor(keys: readonly string[]): RegExp {
  const id = keys.join("\u0000");
  let re = patterns.get(id);
  if (!re) {
    re = new RegExp(`"(?:${keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})":`, "g");
    patterns.set(id, re);
  }
  return re;
}

/** `text` with the value of every key in `keys` (anywhere in the document) replaced by null. */
export function withoutFields(text: string, keys: readonly string[]): string {
  if (keys.length === 0) return text;
  const re = patternFor(keys);
  re.lastIndex = 0;
  const parts: string[] = [];
  let copied = 0; // text before this is in parts already
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const at = m.index;
    if (backslashesBefore(text, at) % 2 === 1) {
      re.lastIndex = at + 1; // an escaped quote: this is inside a string
      continue;
    }
    const value = at + m[0].length;
    const end = skipValue(text, value);
    parts.push(text.slice(copied, value), "null");
    copied = end;
    re.lastIndex = end;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join("");
}

const QUOTE = 0x22;

/** The index just past the string whose opening quote is at `i`. */
function skipString(text: string, i: number): number {
  for (let from = i + 1; ; ) {
    const q = text.indexOf('"', from);
    if (q < 0) throw new SyntaxError("unterminated string");
    if (backslashesBefore(text, q, i + 1) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/** The index just past the JSON value at `i` (its syntax is JSON.parse's to check). */
function skipValue(text: string, i: number): number {
  while (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d || text.charCodeAt(i) === 0x09) i++;
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c !== 0x7b && c !== 0x5b) {
    let j = i;
    while (j < text.length && !",}] \n\r\t".includes(text[j]!)) j++;
    return j;
  }
  let depth = 0;
  for (let j = i; j < text.length; ) {
    const ch = text.charCodeAt(j);
    if (ch === QUOTE) j = skipString(text, j);
    else {
      if (ch === 0x7b || ch === 0x5b) depth++;
      else if (ch === 0x7d || ch === 0x5d) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
  }
  throw new SyntaxError("unterminated value");
}
