import { ERROR_CATEGORIES } from '../domain/error-category.js';
import { SERVICE_NAMES } from '../application/config/breaker-defaults.js';
import { PIPELINE_METRICS } from './constructs/pipeline-observability.js';
import { queueMetric, type StageAlarms } from './constructs/stage-alarms.js';
import type { WatchedResources } from './constructs/pipeline-observability.js';
import { ALARMED_FAILURE_CATEGORIES, type AlarmThresholds } from './operations-config.js';

export interface PipelineAlarmsProps extends WatchedResources {
  /** Whether the composed worker runs: it alone writes `FailuresByCategory` (workflows fail executions instead). */
  readonly workerDeployed: boolean;
  readonly stateMachineArns: readonly string[];
  readonly apiId: string;
  readonly pipelineEventsQueueName: string;
  readonly pipelineEventsDeadLetterQueueName: string;
  readonly redriveFailuresQueueName: string;
  readonly thresholds: AlarmThresholds;
}

/** Below this many requests in 5 minutes the API's 5xx share is not a rate (one failure of two requests is 50 %). */
export const API_5XX_MIN_REQUESTS = 10;

/**
 * The breaker-open alarms' period: CloudWatch allows 10 s (or 30 s) periods on a high-resolution metric,
 * and the breakers write CircuitBreakerOpened per second. A high-resolution alarm costs $0.30 a month
 * instead of $0.10; the fleet pause comes about 10 to 20 s after the first opening instead of a minute or two.
 */
export const BREAKER_ALARM_PERIOD_SECONDS = 10;

/**
 * The alarms that keep the pipeline's promises: no order waits, fails or is parked unnoticed; the API
 * answers and answers fast; events reach their subscribers; the redrive runs. Each links its runbook in
 * docs/runbooks/ and takes its threshold from the stage.
 */
export function addPipelineAlarms(alarms: StageAlarms, props: PipelineAlarmsProps): void {
  const t = props.thresholds;
  const app = { namespace: props.metricsNamespace, statistic: 'Sum' };

  alarms.add({
    id: 'dlq-not-empty',
    runbook: 'dlq-not-empty',
    summary: 'Orders are waiting in the dead-letter queue',
    metric: queueMetric(props.deadLetterQueueName, 'ApproximateNumberOfMessagesVisible'),
    threshold: 0,
  });
  alarms.add({
    id: 'dlq-oldest-message-age',
    runbook: 'dlq-oldest-message-age',
    summary: `A dead letter has stayed in the DLQ longer than ${t.deadLetterAgeSeconds} s: the redrive is not emptying it`,
    metric: queueMetric(props.deadLetterQueueName, 'ApproximateAgeOfOldestMessage'),
    threshold: t.deadLetterAgeSeconds,
    evaluationPeriods: 5,
  });
  const sourceQueues = [
    { id: 'oldest-order-age', name: props.orderQueueName, who: 'the consumers are' },
    ...(props.orchestratedQueueName === undefined
      ? []
      : [{ id: 'oldest-orchestrated-order-age', name: props.orchestratedQueueName, who: 'the pipe or the consume workflow is' }]),
  ];
  for (const queue of sourceQueues) {
    alarms.add({
      id: queue.id,
      runbook: 'oldest-order-age',
      summary: `An order has waited on ${queue.name} longer than ${t.oldestMessageAgeSeconds} s: ${queue.who} stuck or too slow`,
      metric: queueMetric(queue.name, 'ApproximateAgeOfOldestMessage'),
      threshold: t.oldestMessageAgeSeconds,
      evaluationPeriods: 5,
    });
  }

  for (const functionName of props.functionNames) {
    const lambda = (metricName: string) => ({
      namespace: 'AWS/Lambda',
      metricName,
      dimensions: { FunctionName: functionName },
      statistic: 'Sum',
      period: 300,
    });
    alarms.add({
      id: `${functionName}-errors`,
      runbook: 'function-errors',
      summary: `${functionName} is failing invocations`,
      metric: lambda('Errors'),
      threshold: t.functionErrorsThreshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    alarms.add({
      id: `${functionName}-throttles`,
      runbook: 'function-throttles',
      summary: `${functionName} is throttled`,
      metric: lambda('Throttles'),
      threshold: 0,
    });
  }

  // ReportBatchItemFailures hides per-message failures from Lambda's Errors: the worker's own metric shows them.
  for (const category of props.workerDeployed ? ALARMED_FAILURE_CATEGORIES : []) {
    alarms.add({
      id: `failures-${category.toLowerCase()}`,
      runbook: `failures-${category.toLowerCase()}`,
      summary: `Orders are failing with category ${category}: ${t.failuresPerFiveMinutes[category]} or more in 5 minutes`,
      metric: {
        ...app,
        metricName: PIPELINE_METRICS.failuresByCategory,
        dimensions: { service: props.serviceName, category },
        period: 300,
      },
      threshold: t.failuresPerFiveMinutes[category],
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }
  alarms.add({
    id: 'orders-parked',
    runbook: 'orders-parked',
    summary: `The redrive parked ${t.parkedPerFiveMinutes} or more orders in 5 minutes: they will not be retried without a person`,
    metric: {
      kind: 'math',
      expression: ERROR_CATEGORIES.map((_, index) => `FILL(parked${index}, 0)`).join(' + '),
      label: 'orders parked',
      period: 300,
      metrics: Object.fromEntries(
        ERROR_CATEGORIES.map((category, index) => [
          `parked${index}`,
          {
            namespace: props.metricsNamespace,
            metricName: PIPELINE_METRICS.parked,
            dimensions: { service: props.serviceName, category },
            statistic: 'Sum',
          },
        ]),
      ),
    },
    threshold: t.parkedPerFiveMinutes,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
  });

  for (const service of SERVICE_NAMES) {
    // 10 s periods over a per-second metric (the breakers write it at high resolution): the fleet pause
    // starts on this alarm, and every environment that receives a batch before it pays its own opening.
    // The breakers write their dependency as the `service` dimension (it replaces the service name there).
    alarms.add({
      id: `breaker-open-${service}`,
      runbook: 'breaker-open',
      summary: `The circuit breaker for ${service} opened: the dependency is failing and calls to it are being shed`,
      metric: { ...app, metricName: PIPELINE_METRICS.breakerOpened, dimensions: { service }, period: BREAKER_ALARM_PERIOD_SECONDS },
      threshold: t.breakerOpeningsPerPeriod,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  }
  props.stateMachineArns.forEach((arn, index) => {
    alarms.add({
      id: `workflow-${index}-failed`,
      runbook: 'workflow-failed',
      summary: 'Workflow executions are failing',
      metric: {
        namespace: 'AWS/States',
        metricName: 'ExecutionsFailed',
        dimensions: { StateMachineArn: arn },
        statistic: 'Sum',
        period: 300,
      },
      threshold: t.functionErrorsThreshold,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  const api = (metricName: string) => ({ namespace: 'AWS/ApiGateway', metricName, dimensions: { ApiId: props.apiId } });
  alarms.add({
    id: 'api-5xx-rate',
    runbook: 'api-5xx-rate',
    summary: `More than ${t.api5xxPercent} % of API requests are answered 5xx (from ${API_5XX_MIN_REQUESTS} requests in 5 minutes)`,
    metric: {
      kind: 'math',
      label: '5xx (%)',
      period: 300,
      expression: `IF(requests >= ${API_5XX_MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
      metrics: { errors: { ...api('5xx'), statistic: 'Sum' }, requests: { ...api('Count'), statistic: 'Sum' } },
    },
    threshold: t.api5xxPercent,
  });
  alarms.add({
    id: 'api-latency-p99',
    runbook: 'api-latency-p99',
    summary: `The API's p99 latency is above ${t.apiLatencyP99Ms} ms`,
    metric: { ...api('Latency'), statistic: 'p99', period: 300 },
    threshold: t.apiLatencyP99Ms,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
  });

  alarms.add({
    id: 'pipeline-events-age',
    runbook: 'pipeline-events-age',
    summary: `An event on the pipeline-events queue is older than ${t.pipelineEventAgeSeconds} s: its subscriber is missing or stuck, and events expire after 4 days`,
    metric: queueMetric(props.pipelineEventsQueueName, 'ApproximateAgeOfOldestMessage'),
    threshold: t.pipelineEventAgeSeconds,
  });
  alarms.add({
    id: 'pipeline-events-dlq',
    runbook: 'pipeline-events-dlq',
    summary: 'Events did not reach the pipeline-events queue, or its subscriber gave up on them',
    metric: queueMetric(props.pipelineEventsDeadLetterQueueName, 'ApproximateNumberOfMessagesVisible'),
    threshold: 0,
  });
  alarms.add({
    id: 'redrive-failed',
    runbook: 'redrive-failed',
    summary: 'A scheduled redrive run failed (its invocation record is in the redrive-failures queue)',
    metric: queueMetric(props.redriveFailuresQueueName, 'ApproximateNumberOfMessagesVisible'),
    threshold: 0,
  });
}
