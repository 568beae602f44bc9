// Durations as Flux and kubectl users write and read them: Go's time.ParseDuration syntax in
// (`500ms`, `20s`, `10m`, `1h30m`, `1.5s`, in milliseconds; negative durations are refused: every
// duration fluxlight takes is a wait), and time.Duration.String's form out, for log lines.

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3, // U+00B5, as Go writes it
  "μs": 1e-3, // U+03BC, as Go also accepts
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const EXAMPLES = "e.g. 500ms, 20s, 10m or 1h30m";

export function parseDuration(text: string): Parsed<number> {
  const shown = JSON.stringify(text);
  if (text === "0") return { ok: true, value: 0 }; // Go's one unitless duration
  if (text.startsWith("-")) return { ok: false, error: `${shown} is negative: use a duration of 0 or more, ${EXAMPLES}` };
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (/^\d+(\.\d*)?$|^\.\d+$/.test(body)) {
    return { ok: false, error: `${shown} has no unit: use ${EXAMPLES}` };
  }
  const part = /(\d+\.?\d*|\.\d+)([a-zµμ]+)/gy;
  let total = 0;
  let at = 0;
  for (let match = part.exec(body); match; match = part.exec(body)) {
    const [, number, unit] = match as unknown as [string, string, string];
    const scale = UNIT_MS[unit];
    if (scale === undefined) {
      return { ok: false, error: `${shown} has an unknown unit "${unit}": use ns, us, ms, s, m or h, ${EXAMPLES}` };
    }
    total += Number(number) * scale;
    at = part.lastIndex;
  }
  if (body === "" || at !== body.length) return { ok: false, error: `${shown} is not a duration: use ${EXAMPLES}` };
  if (!Number.isFinite(total) || total > Number.MAX_SAFE_INTEGER) return { ok: false, error: `${shown} is too long` };
  // Timers work in whole milliseconds; keep sub-millisecond inputs from becoming 0 by accident.
  return { ok: true, value: total > 0 && total < 1 ? 1 : Math.round(total) };
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return `${ms}`;
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms));
  if (rest === 0) return "0s";
  if (rest < 1000) return `${sign}${rest}ms`;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let text = "";
  if (hours > 0) text += `${hours}h`;
  if (minutes > 0) text += `${minutes}m`;
  if (seconds > 0) text += `${Number(seconds.toFixed(3))}s`;
  return sign + text;
}
