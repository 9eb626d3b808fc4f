const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `50ms`, `1.5s`, `2m` or `1h` into milliseconds; a bare number is
 * milliseconds. Returns a reason string when it cannot, so the CLI can name the option.
 */
export function parseDuration(text: string): number | string {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) return `"${text}" is not a duration (use e.g. 50ms, 2s, 1m)`;
  const value = Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
  if (!Number.isFinite(value)) return `"${text}" is too large`;
  return Math.round(value);
}

/** `1500` → `1.5s`, `250` → `250ms`: for logs and the status page. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1_000).toFixed(2))}s`;
  return `${Number((ms / 60_000).toFixed(2))}m`;
}
