import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { PIPELINE_METRICS } from '../../terraform/constructs/pipeline-observability.js';
import { functionsFor } from '../../terraform/stack-topology.js';
import { drainingStage, functionId, stage, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

/** The age alarms on the queues orders wait on (not the DLQ's, not the pipeline-events queue's). */
function sourceQueueAgeAlarms(synthesized: Synthesized): Props[] {
  return Object.values(synthesized.resources('aws_cloudwatch_metric_alarm')).filter(
    (alarm) =>
      alarm.metric_name === 'ApproximateAgeOfOldestMessage' &&
      /-orders(-orchestrated)?$/.test(String((alarm.dimensions as Props).QueueName)),
  );
}

describe('Stack: events, schedule, alarms, dashboard, outputs', () => {
  const dev = synthesize(stage('dev'));
  const alarms = Object.values(dev.resources('aws_cloudwatch_metric_alarm'));
  const alarmOn = (metric: string, dimensions: Record<string, string>): Props | undefined =>
    alarms.find((alarm) => alarm.metric_name === metric && JSON.stringify(alarm.dimensions) === JSON.stringify(dimensions));

  describe('Method: events', () => {
    it('archives everything on the custom bus', () => {
      const [archive] = Object.values(dev.resources('aws_cloudwatch_event_archive'));
      const busId = dev.idWhere('aws_cloudwatch_event_bus', 'name', 'orders-dev-events');
      expect(archive).to.deep.include({
        event_source_arn: dev.ref('aws_cloudwatch_event_bus', busId, 'arn'),
        retention_days: dev.config.eventArchiveRetentionDays,
      });
    });

    it('routes success and failure events from the pipeline source to the operator queue', () => {
      // The pipeline's rules, on its own bus (the fleet pause's rule is on the default bus, where alarms publish).
      const rules = Object.entries(dev.resources('aws_cloudwatch_event_rule')).filter(([, rule]) => rule.event_bus_name !== undefined);
      const patterns = Object.fromEntries(rules.map(([, rule]) => [String(rule.name), JSON.parse(String(rule.event_pattern)) as Props]));
      expect(patterns['orders-dev-order-success']).to.deep.equal({
        source: [dev.config.application.eventSource],
        'detail-type': [EVENT_TYPES.processed],
      });
      expect(patterns['orders-dev-order-failure']).to.deep.equal({
        source: [dev.config.application.eventSource],
        'detail-type': [EVENT_TYPES.failed, EVENT_TYPES.parked],
      });
      const queue = dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', 'orders-dev-pipeline-events'), 'arn');
      const targets = Object.values(dev.resources('aws_cloudwatch_event_target')).filter((target) => target.event_bus_name !== undefined);
      expect(targets.map((target) => target.arn)).to.deep.equal([queue, queue]);
      expect(targets.map((target) => target.rule)).to.have.members(rules.map(([id]) => dev.ref('aws_cloudwatch_event_rule', id, 'name')));
    });

    it("gives every target a retry policy and the events DLQ, which also takes what the queue's subscriber fails 5 times", () => {
      const dlq = dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', 'orders-dev-pipeline-events-dlq'), 'arn');
      for (const target of Object.values(dev.resources('aws_cloudwatch_event_target')).filter(
        (candidate) => candidate.event_bus_name !== undefined,
      )) {
        expect(target.dead_letter_config).to.deep.equal({ arn: dlq });
        expect(target.retry_policy).to.deep.equal({ maximum_event_age_in_seconds: 3600, maximum_retry_attempts: 20 });
      }
      const queue = dev.resources('aws_sqs_queue')[dev.idWhere('aws_sqs_queue', 'name', 'orders-dev-pipeline-events')];
      expect(JSON.parse(String(queue?.redrive_policy))).to.deep.equal({ deadLetterTargetArn: dlq, maxReceiveCount: 5 });
    });
  });

  describe('Method: redrive schedule', () => {
    it('invokes the redrive alias at the configured rate', () => {
      const schedule = dev.resources('aws_scheduler_schedule')[dev.idWhere('aws_scheduler_schedule', 'name', 'orders-dev-redrive')];
      expect(schedule?.schedule_expression).to.equal(dev.config.redriveSchedule);
      expect(String((schedule?.target as Props).arn)).to.match(/^\$\{aws_lambda_alias\.redrive-function_alias_[A-F0-9]+\.arn\}$/);
    });

    it('retries a failed run neither in the scheduler nor in Lambda, and records it in the redrive-failures queue', () => {
      const [schedule] = Object.values(dev.resources('aws_scheduler_schedule'));
      expect((schedule?.target as Props).retry_policy).to.deep.include({ maximum_retry_attempts: 0 });
      const [config] = Object.values(dev.resources('aws_lambda_function_event_invoke_config'));
      const failures = dev.ref('aws_sqs_queue', dev.idWhere('aws_sqs_queue', 'name', 'orders-dev-redrive-failures'), 'arn');
      expect(config).to.deep.include({ maximum_retry_attempts: 0, destination_config: { on_failure: { destination: failures } } });
      expect(String(config?.qualifier)).to.match(/^\$\{aws_lambda_alias\.redrive-function_alias_[A-F0-9]+\.name\}$/);
      expect(config?.function_name).to.equal(dev.ref('aws_lambda_function', functionId(dev, 'redrive'), 'function_name'));
    });
  });

  describe('Method: alarms', () => {
    it('alarms as soon as one message is visible in the DLQ', () => {
      expect(alarmOn('ApproximateNumberOfMessagesVisible', { QueueName: 'orders-dev-orders-dlq' })).to.deep.include({
        namespace: 'AWS/SQS',
        threshold: 0,
        comparison_operator: 'GreaterThanThreshold',
      });
    });

    it('alarms when the oldest order waits longer than the stage allows, on each source queue', () => {
      for (const queue of ['orders-dev-orders', 'orders-dev-orders-orchestrated']) {
        expect(alarmOn('ApproximateAgeOfOldestMessage', { QueueName: queue }), queue).to.deep.include({
          namespace: 'AWS/SQS',
          threshold: dev.config.alarms.oldestMessageAgeSeconds,
          comparison_operator: 'GreaterThanThreshold',
        });
      }
    });

    for (const topology of ['composed', 'orchestrated'] as const) {
      it(`watches the one order queue when the stage is ${topology}`, () => {
        const ageAlarms = sourceQueueAgeAlarms(synthesize({ ...stage('dev'), topology }));
        expect(ageAlarms.map((alarm) => alarm.dimensions)).to.deep.equal([{ QueueName: 'orders-dev-orders' }]);
      });
    }

    it('keeps alarming on the age of the oldest order on the orchestrated queue while it drains', () => {
      const ageAlarms = sourceQueueAgeAlarms(synthesize(drainingStage()));
      expect(ageAlarms.map((alarm) => alarm.dimensions)).to.have.deep.members([
        { QueueName: 'orders-dev-orders' },
        { QueueName: 'orders-dev-orders-orchestrated' },
      ]);
      expect(ageAlarms.find((alarm) => (alarm.dimensions as Props).QueueName === 'orders-dev-orders-orchestrated')).to.deep.include({
        namespace: 'AWS/SQS',
        threshold: dev.config.alarms.oldestMessageAgeSeconds,
        comparison_operator: 'GreaterThanThreshold',
      });
    });

    it('alarms on errors and throttles of every function', () => {
      for (const name of functionsFor(dev.config.topology)) {
        const dimensions = { FunctionName: `orders-dev-${name}` };
        expect(alarmOn('Errors', dimensions), `${name} errors`).to.deep.include({
          namespace: 'AWS/Lambda',
          threshold: dev.config.alarms.functionErrorsThreshold,
        });
        expect(alarmOn('Throttles', dimensions), `${name} throttles`).to.deep.include({ namespace: 'AWS/Lambda', threshold: 0 });
      }
    });

    it('alarms when the breaker of any dependency opens', () => {
      for (const service of SERVICE_NAMES) {
        expect(alarmOn(PIPELINE_METRICS.breakerOpened, { service }), service).to.deep.include({
          namespace: dev.config.application.metricsNamespace,
          threshold: 1,
        });
      }
    });
  });

  describe('Method: dashboard', () => {
    it("charts the seed's key metrics: duration per function, errors by category, batch size, breakers, idempotency hit rate, DLQ depth", () => {
      const [dashboard] = Object.values(dev.resources('aws_cloudwatch_dashboard'));
      const body = String(dashboard?.dashboard_body);
      const titles = (JSON.parse(body) as { widgets: { properties: { title: string } }[] }).widgets.map(
        (widget) => widget.properties.title,
      );
      expect(titles).to.include.members([
        'Duration per function (p95, ms)',
        'Errors by category (per 5 min)',
        'Batch size',
        'Circuit breakers: state (0 closed, 1 half-open, 2 open) and openings',
        'Idempotency hit rate (%)',
        'DLQ depth and redrive',
      ]);
      for (const metric of Object.values(PIPELINE_METRICS)) expect(body, metric).to.contain(metric);
      for (const name of functionsFor(dev.config.topology)) expect(body).to.contain(`orders-dev-${name}`);
    });

    const depthRows = (json: string): unknown[][] => {
      const [dashboard] = Object.values(
        (JSON.parse(json) as { resource: { aws_cloudwatch_dashboard: Record<string, Props> } }).resource.aws_cloudwatch_dashboard,
      );
      const widgets = (
        JSON.parse(String(dashboard?.dashboard_body)) as { widgets: { properties: { title: string; metrics?: unknown[][] } }[] }
      ).widgets;
      return widgets.find((widget) => widget.properties.title === 'DLQ depth and redrive')?.properties.metrics ?? [];
    };
    const queuesCharted = (rows: unknown[][], metric: string): unknown[] =>
      rows.filter((row) => row[0] === 'AWS/SQS' && row[1] === metric).map((row) => row[3]);

    it('charts the depth of the DLQ and of every source queue', () => {
      expect(queuesCharted(depthRows(dev.json), 'ApproximateNumberOfMessagesVisible')).to.have.members([
        'orders-dev-orders-dlq',
        'orders-dev-orders',
        'orders-dev-orders-orchestrated',
      ]);
    });

    it('charts every count of the orchestrated queue while it drains, so the operator sees when it is empty', () => {
      // Visible alone is 0 while the pipe holds a message or a retry waits out its delay; the queue is empty only when all three are.
      const rows = depthRows(synthesize(drainingStage()).json);
      for (const metric of [
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ]) {
        expect(queuesCharted(rows, metric), metric).to.include('orders-dev-orders-orchestrated');
      }
    });
  });

  describe('Method: outputs', () => {
    it('outputs the API URL, the queue URLs and the table name', () => {
      const outputs = (JSON.parse(dev.json) as { output: Record<string, { value: string }> }).output;
      expect(Object.keys(outputs)).to.include.members([
        'api_url',
        'order_queue_url',
        'dead_letter_queue_url',
        'pipeline_events_queue_url',
        'idempotency_table_name',
        'event_bus_name',
      ]);
      expect(outputs.api_url?.value).to.match(/^\$\{aws_apigatewayv2_stage\.[^.]+\.invoke_url\}$/);
      expect(outputs.idempotency_table_name?.value).to.match(/^\$\{aws_dynamodb_table\.[^.]+\.name\}$/);
    });

    it('outputs the orchestrated queue URL while the queue exists (both topologies, or draining), and only then', () => {
      const outputsOf = (json: string): Record<string, { value: string }> =>
        (JSON.parse(json) as { output: Record<string, { value: string }> }).output;
      for (const synthesized of [dev, synthesize(drainingStage())]) {
        const orchestrated = synthesized.ref(
          'aws_sqs_queue',
          synthesized.idWhere('aws_sqs_queue', 'name', 'orders-dev-orders-orchestrated'),
          'url',
        );
        expect(outputsOf(synthesized.json).orchestrated_queue_url?.value, synthesized.config.topology).to.equal(orchestrated);
      }
      for (const topology of ['composed', 'orchestrated'] as const) {
        expect(outputsOf(synthesize({ ...stage('dev'), topology }).json), topology).to.not.have.property('orchestrated_queue_url');
      }
    });
  });
});
