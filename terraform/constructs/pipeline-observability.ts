import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard/index.js';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { StageAlarms } from './stage-alarms.js';

/** What a stage's dashboard and alarms watch: the same names for both. */
export interface WatchedResources {
  readonly namePrefix: string;
  /** Namespace and `service` dimension of the metrics the functions write (CloudWatch EMF through Powertools). */
  readonly metricsNamespace: string;
  readonly serviceName: string;
  readonly orderQueueName: string;
  /** The orchestrated topology's queue, while both topologies run and while it drains. */
  readonly orchestratedQueueName?: string;
  readonly deadLetterQueueName: string;
  readonly functionNames: readonly string[];
}

export interface PipelineObservabilityProps extends WatchedResources {
  readonly region: string;
  /** Every alarm's alarm and OK actions. */
  readonly topicArn: string;
  /** Base of the runbook links in the alarm descriptions. */
  readonly runbookBaseUrl: string;
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
 * The stage's alarms (`alarms`: every alarm is made through it; terraform/pipeline-alarms.ts lists the
 * pipeline's) and the pipeline dashboard: the seed's key metrics (duration per function, errors by
 * category, batch sizes, breaker state, idempotency hit rate, DLQ depth), the state of every alarm, and
 * a widget per alarm.
 */
export class PipelineObservability extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly alarms: StageAlarms;
  /** Widgets other constructs add (the fleet pause's), placed below the alarms' own. */
  readonly extraWidgets: unknown[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly props: PipelineObservabilityProps,
  ) {
    super(scope, id);
    this.alarms = new StageAlarms(this, {
      namePrefix: props.namePrefix,
      region: props.region,
      topicArn: props.topicArn,
      runbookBaseUrl: props.runbookBaseUrl,
    });
    // Lazy: alarms added to the stage after this construct was built still get their widgets.
    this.dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${props.namePrefix}-pipeline`,
      dashboardBody: Lazy.stringValue({ produce: () => JSON.stringify({ widgets: this.widgets() }) }),
    });
  }

  private widgets(): unknown[] {
    const { metricsNamespace: ns, serviceName: service, region } = this.props;
    const app = (metric: string, extra: Record<string, unknown> = {}): MetricRow => [ns, metric, 'service', service, extra];
    const graph = (title: string, metrics: readonly MetricRow[], x: number, y: number, extra: Record<string, unknown> = {}): unknown => ({
      type: 'metric',
      x,
      y,
      width: 12,
      height: 6,
      properties: { title, region, view: 'timeSeries', stacked: false, period: 300, metrics, ...extra },
    });
    return [
      graph(
        'Orders',
        [
          app(PIPELINE_METRICS.accepted, { stat: 'Sum' }),
          app(PIPELINE_METRICS.rejected, { stat: 'Sum' }),
          app(PIPELINE_METRICS.processed, { stat: 'Sum' }),
          app(PIPELINE_METRICS.duplicates, { stat: 'Sum' }),
        ],
        0,
        0,
      ),
      graph(
        'Duration per function (p95, ms)',
        this.props.functionNames.map((fn) => ['AWS/Lambda', 'Duration', 'FunctionName', fn, { stat: 'p95' }]),
        12,
        0,
      ),
      graph(
        'Errors by category (per 5 min)',
        [
          [
            {
              expression: `SEARCH('{${ns},category,service} MetricName="${PIPELINE_METRICS.failuresByCategory}"', 'Sum', 300)`,
              id: 'failures',
              label: '',
            },
          ],
        ],
        0,
        6,
      ),
      graph(
        'Batch size',
        [
          app(PIPELINE_METRICS.batchSize, { stat: 'Average', label: 'average' }),
          app(PIPELINE_METRICS.batchSize, { stat: 'Maximum', label: 'maximum' }),
        ],
        12,
        6,
      ),
      graph(
        'Circuit breakers: state (0 closed, 1 half-open, 2 open) and openings',
        SERVICE_NAMES.flatMap((name) => [
          [ns, PIPELINE_METRICS.breakerState, 'service', name, { stat: 'Maximum', label: `${name} state` }],
          [ns, PIPELINE_METRICS.breakerOpened, 'service', name, { stat: 'Sum', label: `${name} openings` }],
        ]),
        0,
        12,
      ),
      graph(
        'Idempotency hit rate (%)',
        [
          [{ expression: '100 * hit / (hit + miss)', id: 'rate', label: 'hit rate' }],
          app(PIPELINE_METRICS.idempotencyHit, { stat: 'Sum', id: 'hit', visible: false }),
          app(PIPELINE_METRICS.idempotencyMiss, { stat: 'Sum', id: 'miss', visible: false }),
        ],
        12,
        12,
      ),
      graph(
        'DLQ depth and redrive',
        [
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            this.props.deadLetterQueueName,
            { stat: 'Maximum', label: 'DLQ visible' },
          ],
          [
            'AWS/SQS',
            'ApproximateNumberOfMessagesVisible',
            'QueueName',
            this.props.orderQueueName,
            { stat: 'Maximum', label: 'order queue visible' },
          ],
          // Every count of the orchestrated queue, not only the visible one: it may be deleted (end of its drain) only once all stay at 0.
          ...(this.props.orchestratedQueueName === undefined
            ? []
            : [
                [
                  'AWS/SQS',
                  'ApproximateNumberOfMessagesVisible',
                  'QueueName',
                  this.props.orchestratedQueueName,
                  { stat: 'Maximum', label: 'orchestrated queue visible' },
                ],
                [
                  'AWS/SQS',
                  'ApproximateNumberOfMessagesNotVisible',
                  'QueueName',
                  this.props.orchestratedQueueName,
                  { stat: 'Maximum', label: 'orchestrated queue in flight' },
                ],
                [
                  'AWS/SQS',
                  'ApproximateNumberOfMessagesDelayed',
                  'QueueName',
                  this.props.orchestratedQueueName,
                  { stat: 'Maximum', label: 'orchestrated queue delayed' },
                ],
              ]),
          app(PIPELINE_METRICS.redriven, { stat: 'Sum' }),
          [
            {
              expression: `SEARCH('{${ns},category,service} MetricName="${PIPELINE_METRICS.parked}"', 'Sum', 300)`,
              id: 'parked',
              label: '',
            },
          ],
        ],
        0,
        18,
      ),
      graph(
        'Function errors and throttles',
        this.props.functionNames.flatMap((fn) => [
          ['AWS/Lambda', 'Errors', 'FunctionName', fn, { stat: 'Sum' }],
          ['AWS/Lambda', 'Throttles', 'FunctionName', fn, { stat: 'Sum' }],
        ]),
        12,
        18,
      ),
      {
        type: 'alarm',
        x: 0,
        y: 24,
        width: 24,
        height: 4,
        properties: { title: 'Alarms', alarms: this.alarms.alarms.map((alarm) => alarm.arn) },
      },
      ...this.alarms.widgets(28),
      ...this.extraWidgets.map((widget, index) => ({
        ...(widget as Record<string, unknown>),
        x: (index % 2) * 12,
        y: 28 + Math.ceil(this.alarms.alarms.length / 4) * 6 + Math.floor(index / 2) * 6,
        width: 12,
        height: 6,
      })),
    ];
  }
}
