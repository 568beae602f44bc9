// Columns as `flux get` and kubectl print them: each as wide as its widest cell, three spaces
// apart, no trailing blanks, nothing cut short (a long message runs on, as flux lets it).
import { escapeText } from "../text/escape.ts";

const GAP = "   ";

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  // Every cell is escaped here, so no caller can forget to, and widths are those of what is printed.
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => escapeText(row[i] ?? "")));
  // Code points, not UTF-16 units, as Go's tabwriter counts runes: an emoji is one, not two.
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => width(row[i]!))));
  return cells
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell)))).join(GAP).trimEnd())
    .map((line) => `${line}\n`)
    .join("");
}

function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
