/**
 * The outbox's alarms and dashboard widgets, which PipelineObservability adds to its own (so that they
 * share its notification topic, naming and alarm widget). Plain data: no resource is created here.
 */

/** The metrics the outbox relay (the `events` function) writes as EMF, in the application's namespace with its `service` dimension. */
export const OUTBOX_METRICS = {
  /** Age (ms) of the oldest stream record in a relay batch: how far delivery lags behind the commits. Read as Maximum. */
  iteratorAge: 'OutboxIteratorAgeMs',
  delivered: 'OutboxEventsDelivered',
  failed: 'OutboxEventsFailed',
  /** Stream records the relay could not parse: skipped (retrying cannot help), so their events wait for the redelivery's sweep. */
  unreadable: 'OutboxRecordsUnreadable',
} as const;

/** EventBridge Pipes' own metrics (namespace AWS/EventBridge/Pipes, dimension PipeName). */
export const PIPES_NAMESPACE = 'AWS/EventBridge/Pipes';
export const PIPE_EXECUTION_FAILED = 'ExecutionFailed';

export interface OutboxMonitoring {
  readonly pipeName: string;
  readonly deadLetterQueueName: string;
  readonly iteratorAgeAlarmSeconds: number;
}

export interface OutboxMonitoringContext {
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly region: string;
  readonly functionErrorsThreshold: number;
}

/** One alarm, in the shape PipelineObservability's `alarm` takes. */
export interface OutboxAlarm {
  readonly name: string;
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic: string;
  readonly period: number;
  readonly evaluationPeriods: number;
  readonly threshold: number;
  readonly comparisonOperator: string;
}

export function outboxAlarms(outbox: OutboxMonitoring, context: OutboxMonitoringContext): OutboxAlarm[] {
  return [
    {
      name: 'outbox-iterator-age',
      description: `The outbox relay is delivering events committed more than ${outbox.iteratorAgeAlarmSeconds} s ago: EventBridge or the relay is failing or too slow (the pipe retries, then notes the records in the outbox DLQ)`,
      namespace: context.metricsNamespace, metricName: OUTBOX_METRICS.iteratorAge, dimensions: { service: context.serviceName },
      statistic: 'Maximum', period: 60, evaluationPeriods: 3, threshold: outbox.iteratorAgeAlarmSeconds * 1000, comparisonOperator: 'GreaterThanThreshold',
    },
    {
      name: 'outbox-dlq-not-empty',
      description: "The outbox pipe gave up on stream records: their events are undelivered until the redrive's scheduled redeliver-outbox run sends them",
      namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: outbox.deadLetterQueueName },
      statistic: 'Maximum', period: 60, evaluationPeriods: 1, threshold: 0, comparisonOperator: 'GreaterThanThreshold',
    },
    {
      name: 'outbox-records-unreadable',
      description: 'The outbox relay skipped stream records it could not read: their events wait for a forced redeliver-outbox sweep; read the relay logs',
      namespace: context.metricsNamespace, metricName: OUTBOX_METRICS.unreadable, dimensions: { service: context.serviceName },
      statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
    {
      // Also raised when the pipe cannot invoke the relay at all, when the relay writes no iterator age.
      name: 'outbox-pipe-failed',
      description: 'The outbox pipe fails to run the relay: events stay undelivered while it retries',
      namespace: PIPES_NAMESPACE, metricName: PIPE_EXECUTION_FAILED, dimensions: { PipeName: outbox.pipeName },
      statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: context.functionErrorsThreshold, comparisonOperator: 'GreaterThanOrEqualToThreshold',
    },
  ];
}

/** Two widgets in a row at `y`: delivery lag against its alarm threshold, and delivery counts with what is left over. */
export function outboxWidgets(outbox: OutboxMonitoring, context: OutboxMonitoringContext, y: number): unknown[] {
  const { metricsNamespace: ns, serviceName: service, region } = context;
  const graph = (title: string, metrics: unknown[][], x: number, extra: Record<string, unknown> = {}): unknown => ({
    type: 'metric', x, y, width: 12, height: 6,
    properties: { title, region, view: 'timeSeries', stacked: false, period: 60, metrics, ...extra },
  });
  return [
    graph('Outbox delivery lag (oldest record per relay batch, ms)', [[ns, OUTBOX_METRICS.iteratorAge, 'service', service, { stat: 'Maximum', label: 'iterator age' }]], 0, {
      annotations: { horizontal: [{ label: 'alarm', value: outbox.iteratorAgeAlarmSeconds * 1000 }] },
    }),
    graph('Outbox events delivered and failed, unreadable records, outbox DLQ, pipe failures', [
      [ns, OUTBOX_METRICS.delivered, 'service', service, { stat: 'Sum', label: 'delivered' }],
      [ns, OUTBOX_METRICS.failed, 'service', service, { stat: 'Sum', label: 'failed (retried)' }],
      [ns, OUTBOX_METRICS.unreadable, 'service', service, { stat: 'Sum', label: 'records unreadable (skipped)' }],
      ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', outbox.deadLetterQueueName, { stat: 'Maximum', label: 'outbox DLQ visible' }],
      [PIPES_NAMESPACE, PIPE_EXECUTION_FAILED, 'PipeName', outbox.pipeName, { stat: 'Sum', label: 'pipe executions failed' }],
    ], 12),
  ];
}
