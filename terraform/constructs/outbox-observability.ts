import type { AlarmThresholds } from '../operations-config.js';
import { queueMetric, type StageAlarms } from './stage-alarms.js';

/** The metrics the outbox relay (the `outbox-relay` function) writes as EMF, in the application's namespace with its `service` dimension. */
export const OUTBOX_METRICS = {
  /** Age (ms) of the oldest stream record in a relay batch: how far delivery lags behind the commits. Read as Maximum. */
  iteratorAge: 'OutboxIteratorAgeMs',
  delivered: 'OutboxEventsDelivered',
  failed: 'OutboxEventsFailed',
  /** Stream records the relay could not parse: skipped (retrying cannot help), so their events wait for a forced sweep. */
  unreadable: 'OutboxRecordsUnreadable',
} as const;

/** EventBridge Pipes' own metrics (namespace AWS/EventBridge/Pipes, dimension PipeName). */
export const PIPES_NAMESPACE = 'AWS/EventBridge/Pipes';
export const PIPE_EXECUTION_FAILED = 'ExecutionFailed';

export interface OutboxMonitoring {
  readonly pipeName: string;
  readonly deadLetterQueueName: string;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly thresholds: Pick<AlarmThresholds, 'outboxIteratorAgeMs' | 'outboxDeadLetters' | 'functionErrorsThreshold'>;
}

/**
 * The outbox's alarms, through the stage's one alarm helper (actions on the stage's topic, a runbook
 * link, a dashboard widget each): delivery lag, the pipe's DLQ, records the relay could not read, and the
 * pipe failing to run the relay at all (when the relay writes no iterator age).
 */
export function addOutboxAlarms(alarms: StageAlarms, outbox: OutboxMonitoring): void {
  const relayMetric = (metricName: string, statistic: string, period: number) => ({
    namespace: outbox.metricsNamespace,
    metricName,
    dimensions: { service: outbox.serviceName },
    statistic,
    period,
  });
  alarms.add({
    id: 'outbox-iterator-age',
    runbook: 'outbox-iterator-age',
    summary: `The outbox relay is delivering events committed more than ${outbox.thresholds.outboxIteratorAgeMs / 1000} s ago: EventBridge or the relay is failing or too slow`,
    metric: relayMetric(OUTBOX_METRICS.iteratorAge, 'Maximum', 60),
    threshold: outbox.thresholds.outboxIteratorAgeMs,
    evaluationPeriods: 3,
  });
  alarms.add({
    id: 'outbox-dlq-not-empty',
    runbook: 'outbox-pipe-dlq',
    summary: "The outbox pipe gave up on stream records: their events wait for the redrive's scheduled redeliver-outbox run",
    metric: queueMetric(outbox.deadLetterQueueName, 'ApproximateNumberOfMessagesVisible'),
    threshold: outbox.thresholds.outboxDeadLetters,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  alarms.add({
    id: 'outbox-records-unreadable',
    runbook: 'outbox-records-unreadable',
    summary: 'The outbox relay skipped stream records it could not read: their events wait for a forced redeliver-outbox sweep',
    metric: relayMetric(OUTBOX_METRICS.unreadable, 'Sum', 300),
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
  alarms.add({
    id: 'outbox-pipe-failed',
    runbook: 'outbox-pipe-failed',
    summary: 'The outbox pipe fails to run the relay: events stay undelivered while it retries',
    metric: {
      namespace: PIPES_NAMESPACE,
      metricName: PIPE_EXECUTION_FAILED,
      dimensions: { PipeName: outbox.pipeName },
      statistic: 'Sum',
      period: 300,
    },
    threshold: outbox.thresholds.functionErrorsThreshold,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
}
