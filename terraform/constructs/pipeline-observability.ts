import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm/index.js';
import { SERVICE_NAMES } from '../../domain/circuit-breaker.js';
import { outboxAlarms, outboxWidgets, type OutboxMonitoring } from './outbox-observability.js';

export interface PipelineObservabilityProps {
  readonly namePrefix: string;
  readonly region: string;
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly orderQueueName: string;
  /** The orchestrated topology's queue, while both topologies run and while it drains. */
  readonly orchestratedQueueName?: string;
  readonly deadLetterQueueName: string;
  readonly functionNames: readonly string[];
  readonly stateMachineArns: readonly string[];
  readonly oldestMessageAgeSeconds: number;
  readonly functionErrorsThreshold: number;
  readonly notificationTopicArn?: string;
  /** The outbox's pipe and DLQ: their alarms and widgets (outbox-observability.ts) join the others. */
  readonly outbox?: OutboxMonitoring;
}

/** The metrics the application writes (CloudWatch EMF), by name. */
export const PIPELINE_METRICS = {
  accepted: 'OrdersAccepted',
  rejected: 'OrdersRejected',
  processed: 'OrdersProcessed',
  duplicates: 'DuplicatesSuppressed',
  idempotencyHit: 'IdempotencyHit',
  idempotencyMiss: 'IdempotencyMiss',
  failuresByCategory: 'FailuresByCategory',
  batchSize: 'BatchSize',
  breakerOpened: 'CircuitBreakerOpened',
  /** 0 closed, 1 half-open, 2 open; written at each change of state. */
  breakerState: 'CircuitBreakerState',
  redriven: 'MessagesRedriven',
  parked: 'MessagesParked',
} as const;

type MetricRow = readonly (string | Readonly<Record<string, unknown>>)[];

/**
 * Alarms on what needs a person (a message in the DLQ, orders waiting too long on a source queue, function errors and
 * throttles, an opened breaker, failed workflow executions) and a dashboard of the seed's key metrics:
 * duration per function, errors by category, batch sizes, breaker state, idempotency hit rate, DLQ depth.
 */
export class PipelineObservability extends Construct {
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, private readonly props: PipelineObservabilityProps) {
    super(scope, id);
    this.alarm('dlq-not-empty', {
      description: 'Orders are waiting in the dead-letter queue: read their errorCategory attribute, fix, let the redrive run',
      namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: props.deadLetterQueueName },
      statistic: 'Maximum', period: 60, evaluationPeriods: 1, threshold: 0, comparisonOperator: 'GreaterThanThreshold',
    });
    this.alarm('oldest-order-age', {
      description: `An order has waited on the queue longer than ${props.oldestMessageAgeSeconds} s: the consumers are stuck or too slow`,
      namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: props.orderQueueName },
      statistic: 'Maximum', period: 60, evaluationPeriods: 5, threshold: props.oldestMessageAgeSeconds, comparisonOperator: 'GreaterThanThreshold',
    });
    if (props.orchestratedQueueName !== undefined) {
      this.alarm('oldest-orchestrated-order-age', {
        description: `An order has waited on the orchestrated queue longer than ${props.oldestMessageAgeSeconds} s: the pipe or the consume workflow is stuck or too slow`,
        namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensions: { QueueName: props.orchestratedQueueName },
        statistic: 'Maximum', period: 60, evaluationPeriods: 5, threshold: props.oldestMessageAgeSeconds, comparisonOperator: 'GreaterThanThreshold',
      });
    }
    for (const functionName of props.functionNames) {
      this.alarm(`${functionName}-errors`, {
        description: `${functionName} is failing`,
        namespace: 'AWS/Lambda', metricName: 'Errors', dimensions: { FunctionName: functionName },
        statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: props.functionErrorsThreshold, comparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      this.alarm(`${functionName}-throttles`, {
        description: `${functionName} is throttled: raise its concurrency or lower the event source's`,
        namespace: 'AWS/Lambda', metricName: 'Throttles', dimensions: { FunctionName: functionName },
        statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: 0, comparisonOperator: 'GreaterThanThreshold',
      });
    }
    for (const service of SERVICE_NAMES) {
      this.alarm(`breaker-open-${service}`, {
        description: `The circuit breaker for ${service} opened: the dependency is failing and calls to it are being shed`,
        namespace: props.metricsNamespace, metricName: PIPELINE_METRICS.breakerOpened, dimensions: { service },
        statistic: 'Sum', period: 60, evaluationPeriods: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
    props.stateMachineArns.forEach((arn, index) => {
      this.alarm(`workflow-${index}-failed`, {
        description: 'Workflow executions are failing',
        namespace: 'AWS/States', metricName: 'ExecutionsFailed', dimensions: { StateMachineArn: arn },
        statistic: 'Sum', period: 300, evaluationPeriods: 1, threshold: props.functionErrorsThreshold, comparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    });
    for (const { name, ...spec } of this.props.outbox === undefined ? [] : outboxAlarms(this.props.outbox, props)) this.alarm(name, spec);
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${props.namePrefix}-pipeline`,
      dashboardBody: JSON.stringify({ widgets: this.widgets() }),
    });
  }

  private alarm(
    name: string,
    spec: {
      description: string; namespace: string; metricName: string; dimensions: Record<string, string>;
      statistic: string; period: number; evaluationPeriods: number; threshold: number; comparisonOperator: string;
    },
  ): void {
    const actions = this.props.notificationTopicArn === undefined ? {} : { alarmActions: [this.props.notificationTopicArn], okActions: [this.props.notificationTopicArn] };
    const alarmName = name.startsWith(this.props.namePrefix) ? name : `${this.props.namePrefix}-${name}`;
    this.alarms.push(
      new CloudwatchMetricAlarm(this, name, {
        alarmName,
        alarmDescription: spec.description,
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions: spec.dimensions,
        statistic: spec.statistic,
        period: spec.period,
        evaluationPeriods: spec.evaluationPeriods,
        threshold: spec.threshold,
        comparisonOperator: spec.comparisonOperator,
        treatMissingData: 'notBreaching',
        ...actions,
      }),
    );
  }

  private widgets(): unknown[] {
    const { metricsNamespace: ns, serviceName: service, region } = this.props;
    const app = (metric: string, extra: Record<string, unknown> = {}): MetricRow => [ns, metric, 'service', service, extra];
    const graph = (title: string, metrics: readonly MetricRow[], x: number, y: number, extra: Record<string, unknown> = {}): unknown => ({
      type: 'metric', x, y, width: 12, height: 6,
      properties: { title, region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
    });
    return [
      graph('Orders', [app(PIPELINE_METRICS.accepted, { stat: 'Sum' }), app(PIPELINE_METRICS.rejected, { stat: 'Sum' }), app(PIPELINE_METRICS.processed, { stat: 'Sum' }), app(PIPELINE_METRICS.duplicates, { stat: 'Sum' })], 0, 0),
      graph('Duration per function (p95, ms)', this.props.functionNames.map((fn) => ['AWS/Lambda', 'Duration', 'FunctionName', fn, { stat: 'p95' }]), 12, 0),
      graph('Errors by category (per 5 min)', [[{ expression: `SEARCH('{${ns},category,service} MetricName="${PIPELINE_METRICS.failuresByCategory}"', 'Sum', 300)`, id: 'failures', label: '' }]], 0, 6),
      graph('Batch size', [app(PIPELINE_METRICS.batchSize, { stat: 'Average', label: 'average' }), app(PIPELINE_METRICS.batchSize, { stat: 'Maximum', label: 'maximum' })], 12, 6),
      graph('Circuit breakers: state (0 closed, 1 half-open, 2 open) and openings', SERVICE_NAMES.flatMap((name) => [
        [ns, PIPELINE_METRICS.breakerState, 'service', name, { stat: 'Maximum', label: `${name} state` }],
        [ns, PIPELINE_METRICS.breakerOpened, 'service', name, { stat: 'Sum', label: `${name} openings` }],
      ]), 0, 12),
      graph(
        'Idempotency hit rate (%)',
        [
          [{ expression: '100 * hit / (hit + miss)', id: 'rate', label: 'hit rate' }],
          app(PIPELINE_METRICS.idempotencyHit, { stat: 'Sum', id: 'hit', visible: false }),
          app(PIPELINE_METRICS.idempotencyMiss, { stat: 'Sum', id: 'miss', visible: false }),
        ],
        12, 12,
      ),
      graph('DLQ depth and redrive', [
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', this.props.deadLetterQueueName, { stat: 'Maximum', label: 'DLQ visible' }],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', this.props.orderQueueName, { stat: 'Maximum', label: 'order queue visible' }],
        // Every count of the orchestrated queue, not only the visible one: it may be deleted (end of its drain) only once all stay at 0.
        ...(this.props.orchestratedQueueName === undefined
          ? []
          : [
            ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', this.props.orchestratedQueueName, { stat: 'Maximum', label: 'orchestrated queue visible' }],
            ['AWS/SQS', 'ApproximateNumberOfMessagesNotVisible', 'QueueName', this.props.orchestratedQueueName, { stat: 'Maximum', label: 'orchestrated queue in flight' }],
            ['AWS/SQS', 'ApproximateNumberOfMessagesDelayed', 'QueueName', this.props.orchestratedQueueName, { stat: 'Maximum', label: 'orchestrated queue delayed' }],
          ]),
        app(PIPELINE_METRICS.redriven, { stat: 'Sum' }),
        [{ expression: `SEARCH('{${ns},category,service} MetricName="${PIPELINE_METRICS.parked}"', 'Sum', 300)`, id: 'parked', label: '' }],
      ], 0, 18),
      graph('Function errors and throttles', this.props.functionNames.flatMap((fn) => [
        ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum' }],
        ['AWS/Lambda', 'Throttles', 'FunctionName', fn, { stat: 'Sum' }],
      ]), 12, 18),
      { type: 'alarm', x: 0, y: 24, width: 24, height: 4, properties: { title: 'Alarms', alarms: this.alarms.map((alarm) => alarm.arn) } },
      ...(this.props.outbox === undefined ? [] : outboxWidgets(this.props.outbox, this.props, 28)),
    ];
  }
}
