export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Percent' | 'None';

export interface Metrics {
  /** Records one value; `dimensions` must be low-cardinality (service, category), never ids. */
  add(name: string, value: number, unit: MetricUnit, dimensions?: Readonly<Record<string, string>>): void;
  /** Writes what was recorded (CloudWatch Embedded Metric Format) and starts over. */
  flush(): void;
}
