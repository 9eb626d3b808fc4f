export type MetricUnit = 'Count' | 'Milliseconds' | 'Bytes' | 'Percent' | 'None';

/**
 * How finely CloudWatch stores a metric: `standard` per minute; `high` per second, for a metric an alarm
 * must see within seconds (an alarm on it may use 10 s periods, at three times a standard alarm's price).
 */
export type MetricResolution = 'standard' | 'high';

export interface Metrics {
  /** Records one value; `dimensions` must be low-cardinality (service, category), never ids. */
  add(name: string, value: number, unit: MetricUnit, dimensions?: Readonly<Record<string, string>>, resolution?: MetricResolution): void;
  /** Writes what was recorded (CloudWatch Embedded Metric Format) and starts over. */
  flush(): void;
}
