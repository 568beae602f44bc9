// A Kubernetes list's JSON, parsed one item at a time while it streams in. JSON.parse of a whole
// page needs the page as one string (hundreds of kilobytes: V8 puts it in fresh large-object
// pages, and every page fault costs) and builds every item's tree at once (inventories,
// managedFields), which outlives the young generation. Cut at the item boundaries as the chunks
// arrive, each item is parsed, projected and dropped while still young (BENCHMARKS.md). The
// scanner that cuts them, on the list's hot path, is ./list-scanner.ts.

import { ListScanner } from "./list-scanner.ts";

export interface ListParser {
  write(chunk: string): void;
  /** The list's fields other than `items` (apiVersion, kind, metadata). */
  end(): Record<string, unknown>;
}

export interface ListLimits {
  /** Longest item, in characters; a longer one is skipped (never buffered) and `onOversize` told. The list's other fields together get the same bound, past which the list fails. */
  maxItem?: number;
  onOversize?(chars: number): void;
}

/** `onItem` gets each element of the top-level `items` array, parsed, as soon as it is complete. */
export function listParser(onItem: (item: unknown) => void, prepare: (itemText: string) => string = (t) => t, limits: ListLimits = {}): ListParser {
  return new ListScanner(onItem, prepare, limits);
}

/** The same for a list already in one string. */
export function parseList(text: string, onItem: (item: unknown) => void): Record<string, unknown> {
  const parser = listParser(onItem);
  parser.write(text);
  return parser.end();
}
