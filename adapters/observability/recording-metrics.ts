import type { MetricResolution, MetricUnit, Metrics } from '../../application/ports/metrics.js';

export interface RecordedMetric {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly resolution: MetricResolution;
}

export interface MetricTotals {
  /** Sum of every value per metric name. */
  readonly byName: Readonly<Record<string, number>>;
  /** Sum per metric name and dimension value: `byDimension.OrdersFailed['category=TRANSIENT']`. */
  readonly byDimension: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Keeps every value in memory, for tests and the harness' status page. Totals run across flushes (a
 * status page wants the whole run); `flushes()` counts how often the code under test flushed.
 */
export class RecordingMetrics implements Metrics {
  private readonly recorded: RecordedMetric[] = [];
  private flushCount = 0;

  add(
    name: string,
    value: number,
    unit: MetricUnit,
    dimensions: Readonly<Record<string, string>> = {},
    resolution: MetricResolution = 'standard',
  ): void {
    this.recorded.push({ name, value, unit, dimensions: { ...dimensions }, resolution });
  }

  flush(): void {
    this.flushCount += 1;
  }

  flushes(): number {
    return this.flushCount;
  }

  points(): readonly RecordedMetric[] {
    return [...this.recorded];
  }

  /** The values recorded under one metric name, in order. */
  named(name: string): readonly RecordedMetric[] {
    return this.recorded.filter((point) => point.name === name);
  }

  /** The sum of `name`'s values whose dimensions include every given one. */
  total(name: string, dimensions: Readonly<Record<string, string>> = {}): number {
    return this.recorded
      .filter((point) => point.name === name && Object.entries(dimensions).every(([key, value]) => point.dimensions[key] === value))
      .reduce((sum, point) => sum + point.value, 0);
  }

  totals(): MetricTotals {
    const byName: Record<string, number> = {};
    const byDimension: Record<string, Record<string, number>> = {};
    for (const { name, value, dimensions } of this.recorded) {
      byName[name] = (byName[name] ?? 0) + value;
      const perDimension = (byDimension[name] ??= {});
      for (const [key, dimensionValue] of Object.entries(dimensions)) {
        const label = `${key}=${dimensionValue}`;
        perDimension[label] = (perDimension[label] ?? 0) + value;
      }
    }
    return { byName, byDimension };
  }

  clear(): void {
    this.recorded.length = 0;
    this.flushCount = 0;
  }
}
