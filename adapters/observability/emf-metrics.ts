import { MetricResolution as PowertoolsResolution, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import type { MetricResolution, MetricUnit, Metrics } from '../../application/ports/metrics.js';

export interface EmfMetricsOptions {
  /** CloudWatch namespace; when left out, Powertools reads POWERTOOLS_METRICS_NAMESPACE. */
  readonly namespace?: string;
  /** Becomes the `service` dimension of every metric. */
  readonly serviceName: string;
  readonly defaultDimensions?: Readonly<Record<string, string>>;
}

interface PendingValue {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  readonly resolution: MetricResolution;
}

interface DimensionGroup {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly values: PendingValue[];
}

// Powertools publishes on its own once a blob holds 100 metrics or a metric 100 values, and that early
// publish drops the dimensions added for the rest of the blob: stay below both.
const VALUES_PER_BLOB = 99;

// A dimension multiplies CloudWatch series (and cost) by its distinct values: an id must never be one.
// Such keys are written as EMF metadata instead, where logs can still be searched for them.
const HIGH_CARDINALITY_KEY = /id$/i;

/**
 * CloudWatch Embedded Metric Format on stdout through Powertools: no API call, namespace plus a `service`
 * dimension. Values are grouped by their dimensions and each group is written as its own EMF blob on
 * `flush`, since one blob has one set of dimensions.
 */
export class EmfMetrics implements Metrics {
  private readonly metrics: PowertoolsMetrics;
  private readonly groups = new Map<string, DimensionGroup>();

  constructor(options: EmfMetricsOptions) {
    this.metrics = new PowertoolsMetrics({
      ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
      serviceName: options.serviceName,
      ...(options.defaultDimensions === undefined ? {} : { defaultDimensions: { ...options.defaultDimensions } }),
    });
  }

  add(
    name: string,
    value: number,
    unit: MetricUnit,
    dimensions: Readonly<Record<string, string>> = {},
    resolution: MetricResolution = 'standard',
  ): void {
    const key = JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)));
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { ...splitHighCardinality(dimensions), values: [] };
      this.groups.set(key, group);
    }
    group.values.push({ name, value, unit, resolution });
  }

  flush(): void {
    const groups = [...this.groups.values()];
    this.groups.clear();
    for (const group of groups) {
      for (let start = 0; start < group.values.length; start += VALUES_PER_BLOB) {
        for (const [name, value] of Object.entries(group.dimensions)) this.metrics.addDimension(name, value);
        for (const [key, value] of Object.entries(group.metadata)) this.metrics.addMetadata(key, value);
        for (const { name, value, unit, resolution } of group.values.slice(start, start + VALUES_PER_BLOB)) {
          this.metrics.addMetric(name, unit, value, resolution === 'high' ? PowertoolsResolution.High : PowertoolsResolution.Standard);
        }
        this.metrics.publishStoredMetrics();
      }
    }
  }

  /** Writes Powertools' ColdStart metric once per execution environment (call it in each invocation). */
  captureColdStart(functionName?: string): void {
    this.metrics.captureColdStartMetric(functionName);
  }
}

function splitHighCardinality(dimensions: Readonly<Record<string, string>>): Pick<DimensionGroup, 'dimensions' | 'metadata'> {
  const kept: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(dimensions)) {
    if (HIGH_CARDINALITY_KEY.test(name)) metadata[name] = value;
    else kept[name] = value;
  }
  return { dimensions: kept, metadata };
}
