// A Kubernetes list's JSON, parsed one item at a time while it streams in. JSON.parse of a whole
// page needs the page as one string (hundreds of kilobytes: V8 puts it in fresh large-object
// pages, and every page fault costs) and builds every item's tree at once (inventories,
// managedFields), which outlives the young generation. Cut at the item boundaries as the chunks
// arrive, each item is parsed, projected and dropped while still young (BENCHMARKS.md).

import { backslashesBefore } from "./json-text.ts";

export interface ListParser {
  write(chunk: string): void;
  /** The list's fields other than `items` (apiVersion, kind, metadata). */
  end(): Record<string, unknown>;
}

const QUOTE = 0x22;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface ListLimits {
  /** Longest item, in characters; a longer one is skipped (never buffered) and `onOversize` told. The list's other fields together get the same bound, past which the list fails. */
  maxItem?: number;
  onOversize?(chars: number): void;
}

/** `onItem` gets each element of the top-level `items` array, parsed, as soon as it is complete. */
export function listParser(onItem: (item: unknown) => void, prepare: (itemText: string) => string = (t) => t, limits: ListLimits = {}): ListParser {
  const max = limits.maxItem ?? Infinity;
  let itemChars = 0; // of the open item, from earlier chunks
  let oversize = false; // the open item passed max: its text is no longer kept
  let skeletonChars = 0;
  let depth = 0;
  let inString = false;
  let backslashes = 0; // a run of them ending the previous chunk, inside a string
  let inItems = false;
  let afterItem = false; // in the items array: an item just ended, a comma must come next
  let afterComma = false;
  let item: string[] | undefined; // an item's text from earlier chunks
  let itemStart = -1;
  let key: string[] | undefined; // a string at depth 1 being read (a key, or a short value)
  let keyStart = -1;
  let lastKey = "";
  const skeleton: string[] = []; // everything but the items' elements
  let skeletonStart = 0;

  const fail = (why: string): never => {
    throw new SyntaxError(`malformed list: ${why}`);
  };

  return {
    write(c) {
      let i = 0;
      while (i < c.length) {
        if (inString) {
          const q = c.indexOf('"', i);
          const stop = q < 0 ? c.length : q;
          let run = backslashesBefore(c, stop, i);
          if (run === stop - i) run += backslashes; // the run goes back into the previous chunk
          if (q < 0) {
            backslashes = run;
            break;
          }
          backslashes = 0;
          i = q + 1;
          if (run % 2 === 1) continue; // an escaped quote
          inString = false;
          if (key) {
            key.push(c.slice(keyStart, q));
            lastKey = key.join("");
            key = undefined;
          }
          continue;
        }
        const ch = c.charCodeAt(i);
        if (inItems && depth === 1 && item === undefined) {
          // Between the items: whitespace, one comma between two, and the items themselves.
          if (isSpace(ch)) {
            i++;
            continue;
          }
          if (ch === COMMA) {
            if (!afterItem) fail("a comma where an item belongs");
            afterItem = false;
            afterComma = true;
            i++;
            continue;
          }
          if (ch === CLOSE_ARRAY) {
            if (afterComma) fail("a comma after the last item");
            // Back in the top-level object: the depth counted inside the array (1) is its depth too.
            inItems = false;
            skeletonStart = i;
            i++;
            continue;
          }
          if (ch !== OPEN_OBJECT) fail("an item that is not an object");
          if (afterItem) fail("two items without a comma");
          item = [];
          itemStart = i;
          itemChars = 0;
          oversize = false;
          afterComma = false;
        }
        if (ch === QUOTE) {
          inString = true;
          backslashes = 0;
          if (depth === 1 && !inItems) {
            key = [];
            keyStart = i + 1;
          }
        } else if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
          depth++;
          if (ch === OPEN_ARRAY && depth === 2 && lastKey === "items" && !inItems && item === undefined) {
            // The items array: its elements leave the skeleton; the depth counts from inside it.
            skeleton.push(c.slice(skeletonStart, i + 1));
            skeletonChars += i + 1 - skeletonStart;
            skeletonStart = -1;
            inItems = true;
            afterItem = afterComma = false;
            depth = 1;
          }
        } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) {
          depth--;
          if (inItems && depth === 1 && item !== undefined) {
            const size = itemChars + i + 1 - itemStart;
            if (oversize || size > max) {
              item = undefined;
              afterItem = true;
              limits.onOversize?.(size);
            } else {
              item.push(c.slice(itemStart, i + 1));
              const text = item.length === 1 ? item[0]! : item.join("");
              item = undefined;
              afterItem = true;
              onItem(JSON.parse(prepare(text)));
            }
          }
        }
        i++;
      }
      // What is still open continues in the next chunk.
      if (item !== undefined) {
        itemChars += c.length - itemStart;
        if (itemChars > max) {
          oversize = true;
          item = [];
        }
        if (!oversize) item.push(c.slice(itemStart));
        itemStart = 0;
      }
      if (key !== undefined) {
        key.push(c.slice(keyStart));
        keyStart = 0;
      }
      if (skeletonStart >= 0) {
        skeleton.push(c.slice(skeletonStart));
        skeletonChars += c.length - skeletonStart;
        skeletonStart = 0;
      }
      if (skeletonChars > max) fail(`its fields other than items are longer than ${max} characters`);
    },
    end() {
      if (inItems || item !== undefined || inString) fail("it ends inside the items");
      const whole = JSON.parse(skeleton.join("")) as unknown;
      if (typeof whole !== "object" || whole === null || Array.isArray(whole)) fail("not a JSON object");
      const { items, ...rest } = whole as Record<string, unknown>;
      void items;
      return rest;
    },
  };
}

/** The same for a list already in one string. */
export function parseList(text: string, onItem: (item: unknown) => void): Record<string, unknown> {
  const parser = listParser(onItem);
  parser.write(text);
  return parser.end();
}
