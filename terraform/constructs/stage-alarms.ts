import type { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';

/** One CloudWatch metric, as an alarm or a metric-math query names it. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A single metric and how it is aggregated per period. */
export interface SingleMetric extends MetricRef {
  readonly kind?: 'metric';
  /** `Sum`, `Maximum`, `Average`, … or a percentile such as `p99`. */
  readonly statistic: string;
  readonly period: number;
}

/** A metric-math expression over metrics named by id (`m5xx`, `requests`, …). */
export interface MetricMath {
  readonly kind: 'math';
  readonly expression: string;
  readonly label: string;
  readonly metrics: Readonly<Record<string, MetricRef & { readonly statistic: string }>>;
  readonly period: number;
}

export interface AlarmSpec {
  /** Construct id, and the alarm's name: `<namePrefix>-<id>` (or `id` itself when it starts with the prefix); unique in the stage. */
  readonly id: string;
  /** What firing means, in one sentence; the runbook link is appended. */
  readonly summary: string;
  /** The runbook's file name in docs/runbooks/, without `.md`. */
  readonly runbook: string;
  readonly metric: SingleMetric | MetricMath;
  /** From the stage's `alarms` thresholds, so that the runbook and the stage agree on the number. */
  readonly threshold: number;
  readonly comparisonOperator?: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly treatMissingData?: 'notBreaching' | 'breaching' | 'missing' | 'ignore';
}

export interface StageAlarmsProps {
  readonly namePrefix: string;
  /** Where the dashboard widgets show the metrics. */
  readonly region: string;
  /** Every alarm's alarm and OK actions. */
  readonly topicArn: string;
  /** Base of the runbook links (`<base>/<runbook>.md`). */
  readonly runbookBaseUrl: string;
}

/** The queue metric SQS publishes for `queueName` (`ApproximateAgeOfOldestMessage`, `ApproximateNumberOfMessagesVisible`, …). */
export function queueMetric(queueName: string, metricName: string, statistic = 'Maximum', period = 60): SingleMetric {
  return { namespace: 'AWS/SQS', metricName, dimensions: { QueueName: queueName }, statistic, period };
}

const PERCENTILE = /^p\d+(\.\d+)?$/;

/**
 * The one way an alarm is made in a stage: it notifies the stage's topic on ALARM and on OK, its
 * description says what it means and links its runbook, and it gets a widget of its own on the pipeline
 * dashboard (the dashboard reads `widgets()` when the stack is synthesized, so alarms added after the
 * dashboard was built still appear). The alarms are made in the scope it is given (the pipeline's
 * observability construct), so their Terraform addresses stay where the alarms always were. To alarm on
 * a new resource:
 *
 * ```ts
 * stack.alarms.add({
 *   id: 'outbox-pipe-dlq', summary: 'Outbox records the relay could not deliver are in the pipe DLQ',
 *   runbook: 'outbox-pipe-dlq', metric: queueMetric(`${prefix}-outbox-dlq`, 'ApproximateNumberOfMessagesVisible'),
 *   threshold: config.alarms.outboxDeadLetters, comparisonOperator: 'GreaterThanOrEqualToThreshold',
 * });
 * ```
 */
export class StageAlarms {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  private readonly specs: AlarmSpec[] = [];

  constructor(
    private readonly scope: Construct,
    private readonly props: StageAlarmsProps,
  ) {}

  add(spec: AlarmSpec): CloudwatchMetricAlarm {
    const alarmName = spec.id.startsWith(`${this.props.namePrefix}-`) ? spec.id : `${this.props.namePrefix}-${spec.id}`;
    const alarm = new CloudwatchMetricAlarm(this.scope, spec.id, {
      alarmName,
      alarmDescription: `${spec.summary}. Runbook: ${this.runbookUrl(spec.runbook)}`,
      ...metricSettings(spec.metric),
      threshold: spec.threshold,
      comparisonOperator: spec.comparisonOperator ?? 'GreaterThanThreshold',
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      ...(spec.datapointsToAlarm === undefined ? {} : { datapointsToAlarm: spec.datapointsToAlarm }),
      treatMissingData: spec.treatMissingData ?? 'notBreaching',
      alarmActions: [this.props.topicArn],
      okActions: [this.props.topicArn],
    });
    this.alarms.push(alarm);
    this.specs.push(spec);
    return alarm;
  }

  runbookUrl(runbook: string): string {
    return `${this.props.runbookBaseUrl.replace(/\/$/, '')}/${runbook}.md`;
  }

  /** One dashboard widget per alarm, in the order they were added: its metric against its threshold, and its state. */
  widgets(top: number): unknown[] {
    return this.alarms.map((alarm, index) => ({
      type: 'metric',
      x: (index % 4) * 6,
      y: top + Math.floor(index / 4) * 6,
      width: 6,
      height: 6,
      properties: {
        title: alarm.alarmName,
        region: this.props.region,
        annotations: { alarms: [alarm.arn] },
        view: 'timeSeries',
        stacked: false,
      },
    }));
  }
}

function metricSettings(metric: SingleMetric | MetricMath): Partial<ConstructorParameters<typeof CloudwatchMetricAlarm>[2]> {
  if (metric.kind === 'math') {
    return {
      metricQuery: [
        { id: 'alarmed', expression: metric.expression, label: metric.label, returnData: true },
        ...Object.entries(metric.metrics).map(([id, m]) => ({
          id,
          returnData: false,
          metric: {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: { ...m.dimensions },
            stat: m.statistic,
            period: metric.period,
          },
        })),
      ],
    };
  }
  const statistic = PERCENTILE.test(metric.statistic) ? { extendedStatistic: metric.statistic } : { statistic: metric.statistic };
  return {
    namespace: metric.namespace,
    metricName: metric.metricName,
    dimensions: { ...metric.dimensions },
    period: metric.period,
    ...statistic,
  };
}
