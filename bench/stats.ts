/** Median and spread of repeated measurements: the bench states ratios of medians, never one run. */
export interface Summary {
  readonly median: number;
  /** (max - min) / median of the runs, as a fraction. */
  readonly spread: number;
  readonly runs: number;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const spread = median === 0 ? 0 : (sorted[sorted.length - 1]! - sorted[0]!) / median;
  return { median: round(median), spread: round(spread), runs: sorted.length };
}

export function ratio(a: number, b: number): number {
  return round(a / b);
}

export function round(value: number, digits = 3): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
