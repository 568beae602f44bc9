// Newline-delimited text, as a watch stream sends it, cut into lines across chunk boundaries.
// A long line (a 1 MiB message) arriving in many chunks is joined once, not chunk by chunk.
// A line is bounded: past `maxLine` characters its text so far is dropped (never buffered without
// end: 512 MiB without a newline once took the agent to 1.67 GiB) and `onOversize` is told.

export interface SplitterOptions {
  /** Longest line kept, in characters; default unbounded. */
  maxLine?: number;
  /** A line grew past maxLine: what was read of it is gone; the rest of it, up to its newline, is skipped. */
  onOversize?(charsSoFar: number): void;
}

export interface LineSplitter {
  (chunk: string): void;
  /** The stream ended: a last line without a newline is a line too. */
  end(): void;
}

export function lineSplitter(onLine: (line: string) => void, opts: SplitterOptions = {}): LineSplitter {
  const max = opts.maxLine ?? Infinity;
  let parts: string[] = [];
  let held = 0; // characters in parts
  let skipping = false; // inside a line already reported as too long
  const emit = (line: string) => {
    if (line.trim()) onLine(line);
  };
  const split = (chunk: string) => {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
      const tail = chunk.slice(start, nl);
      start = nl + 1;
      if (skipping) {
        skipping = false;
        continue;
      }
      if (held + tail.length > max) {
        const size = held + tail.length;
        parts = [];
        held = 0;
        opts.onOversize?.(size);
        continue;
      }
      const line = parts.length ? parts.join("") + tail : tail;
      parts = [];
      held = 0;
      emit(line);
    }
    if (start < chunk.length && !skipping) {
      const rest = chunk.slice(start);
      if (held + rest.length > max) {
        const size = held + rest.length;
        parts = [];
        held = 0;
        skipping = true;
        opts.onOversize?.(size);
      } else {
        parts.push(rest);
        held += rest.length;
      }
    }
  };
  return Object.assign(split, {
    end() {
      if (!skipping && parts.length) emit(parts.join(""));
      parts = [];
      held = 0;
    },
  });
}
