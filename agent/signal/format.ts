// Durations in the words Flux and kubectl users read them (Go's time.Duration.String, trimmed):
// 20s, 1m30s, 10m, 1h5m, 250ms — for log lines and messages.

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
