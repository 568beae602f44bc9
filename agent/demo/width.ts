// How many terminal columns a string takes, and how to shorten one to fit, for the demo's live
// line: a line one column too long wraps, and every `\r` redraw then prints a new copy instead of
// replacing the old one. Pure.
//
// The rule is wcwidth's (Markus Kuhn's), by code point: escape sequences, controls, combining marks
// and format characters take none; East Asian Wide/Fullwidth characters (CJK, Hangul, kana,
// fullwidth forms) and emoji shown as emoji take two; everything else one. "Ambiguous" symbols
// such as ● ▶ → take one, as in most terminals; callers keep a margin for those that draw them
// wider. Emoji sequences (flags, skin tones) are counted per code point, which errs wide — safe.

/** An ESC or C1 sequence (CSI with parameters, OSC up to its terminator, two-byte escapes). */
// eslint-disable-next-line no-control-regex -- finding escape sequences is the point
const ESCAPE = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]/y;

const ZERO = /[\p{Mn}\p{Me}\p{Cf}]/u;
const EMOJI = /\p{Emoji_Presentation}/u;
const VS16 = 0xfe0f;

/** East Asian Wide and Fullwidth ranges, as in Kuhn's wcwidth (code point, inclusive). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2e80, 0x303e], // CJK radicals … CJK symbols and punctuation (U+303F is narrow)
  [0x3040, 0xa4cf], // kana … CJK unified ideographs … Yi
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x20000, 0x2fffd], // CJK extensions B…
  [0x30000, 0x3fffd],
];

/** Columns one code point takes (0, 1 or 2). */
export function charColumns(char: string): number {
  const cp = char.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1; // Latin, the common case, without a regular expression
  if (ZERO.test(char)) return 0;
  if (EMOJI.test(char)) return 2;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/** A piece of a string that is never split: an escape sequence, or one code point (a surrogate pair whole). */
interface Piece {
  text: string;
  columns: number;
  escape: boolean;
}

function* pieces(text: string): Generator<Piece> {
  let i = 0;
  let previous = 0;
  while (i < text.length) {
    ESCAPE.lastIndex = i;
    const escape = ESCAPE.exec(text);
    if (escape) {
      yield { text: escape[0], columns: 0, escape: true };
      i += escape[0].length;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const char = String.fromCodePoint(cp);
    // VS16 asks for emoji presentation: a one-column symbol before it (▶️) is drawn two wide.
    const columns = cp === VS16 ? (previous === 1 ? 1 : 0) : charColumns(char);
    yield { text: char, columns, escape: false };
    previous = columns;
    i += char.length;
  }
}

/** Columns the string takes in a terminal, its escape sequences taking none. */
export function columns(text: string): number {
  let n = 0;
  for (const p of pieces(text)) n += p.columns;
  return n;
}

/**
 * The string in at most `width` columns: unchanged when it fits, else cut and ended with `…`.
 * A cut falls between code points and escape sequences, never inside one; escape sequences before
 * the cut are kept, and a colour they set is reset after the ellipsis.
 */
export function fit(text: string, width: number, ellipsis = "…"): string {
  if (columns(text) <= width) return text;
  const room = width - columns(ellipsis);
  if (room < 0) return "";
  let kept = "";
  let used = 0;
  let escaped = false;
  for (const p of pieces(text)) {
    if (used + p.columns > room) break;
    kept += p.text;
    used += p.columns;
    escaped ||= p.escape;
  }
  return `${kept.trimEnd()}${ellipsis}${escaped ? "\x1b[0m" : ""}`;
}
