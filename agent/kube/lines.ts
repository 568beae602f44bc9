// Newline-delimited text, as a watch stream sends it, cut into lines across chunk boundaries.
// A long line (a 1 MiB message) arriving in many chunks is joined once, not chunk by chunk.

export function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let parts: string[] = [];
  return (chunk) => {
    let start = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", start)) {
      const tail = chunk.slice(start, nl);
      const line = parts.length ? parts.join("") + tail : tail;
      parts = [];
      start = nl + 1;
      if (line.trim()) onLine(line);
    }
    if (start < chunk.length) parts.push(chunk.slice(start));
  };
}
