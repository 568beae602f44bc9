// What both JSON scanners (list-json.ts, prune.ts) need to know about a quote: whether it is
// escaped, which an odd run of backslashes right before it says.

/** The run of backslashes right before `i`, looking no further back than `floor`. */
export function backslashesBefore(text: string, i: number, floor = 0): number {
  let k = i - 1;
  while (k >= floor && text.charCodeAt(k) === 0x5c) k--;
  return i - 1 - k;
}
