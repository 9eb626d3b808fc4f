import { expect } from 'chai';
import {
  OUTBOX_PENDING_INDEX,
  OUTBOX_PENDING_SHARD_ATTRIBUTE,
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
  OUTBOX_STREAM_FILTER,
} from '../../domain/outbox.js';
import { OUTBOX_METRICS, PIPE_EXECUTION_FAILED, PIPES_NAMESPACE } from '../../terraform/constructs/outbox-observability.js';
import { SCHEDULED_RUN_INPUT } from '../../terraform/constructs/redrive-schedule.js';
import { STREAM_RETENTION_SECONDS } from '../../terraform/outbox-settings.js';
import { stageConfigProblems } from '../../terraform/stage-config-problems.js';
import { type StageConfig } from '../../terraform/stage-config.js';
import { aliasId, everyVariant, stage, stageTitle, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

function named(synthesized: Synthesized, type: string, name: string): Props {
  return synthesized.resources(type)[synthesized.idWhere(type, 'name', name)] as Props;
}

function withOutbox(settings: Partial<StageConfig['outbox']>): StageConfig {
  return { ...stage('dev'), outbox: { ...stage('dev').outbox, ...settings } };
}

describe('Stack: transactional outbox', () => {
  const variants = everyVariant();
  for (const synthesized of variants) {
    const { config } = synthesized;
    const prefix = config.namePrefix;
    const tableId = synthesized.idWhere('aws_dynamodb_table', 'name', `${prefix}-idempotency`);
    const outboxDlqArn = (): string =>
      synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', `${prefix}-outbox-dlq`), 'arn');

    describe(stageTitle(config), () => {
      it('streams the new image of every idempotency record, always on', () => {
        expect(synthesized.resources('aws_dynamodb_table')[tableId]).to.deep.include({
          stream_enabled: true,
          stream_view_type: 'NEW_IMAGE',
        });
      });

      it("pipes the table's stream from its oldest record to the outbox-relay function's live alias, passing only records with undelivered events", () => {
        const pipe = named(synthesized, 'aws_pipes_pipe', `${prefix}-outbox`);
        expect(pipe).to.deep.include({
          source: synthesized.ref('aws_dynamodb_table', tableId, 'stream_arn'),
          target: synthesized.ref('aws_lambda_alias', aliasId(synthesized, 'outbox-relay'), 'arn'),
          desired_state: 'RUNNING',
          target_parameters: { lambda_function_parameters: { invocation_type: 'REQUEST_RESPONSE' } },
        });
        const source = pipe.source_parameters as { filter_criteria: { filter: { pattern: string }[] }; dynamodb_stream_parameters: Props };
        expect(source.filter_criteria.filter.map((filter) => JSON.parse(filter.pattern) as unknown)).to.deep.equal([OUTBOX_STREAM_FILTER]);
        expect(source.dynamodb_stream_parameters.starting_position).to.equal('TRIM_HORIZON');
      });

      it('bisects a failing batch, bounds its retries and record age by the stage, then notes it in the outbox DLQ', () => {
        const stream = (named(synthesized, 'aws_pipes_pipe', `${prefix}-outbox`).source_parameters as { dynamodb_stream_parameters: Props })
          .dynamodb_stream_parameters;
        expect(stream).to.deep.include({
          batch_size: config.outbox.batchSize,
          maximum_batching_window_in_seconds: config.outbox.batchingWindowSeconds,
          maximum_retry_attempts: config.outbox.maximumRetryAttempts,
          maximum_record_age_in_seconds: config.outbox.maximumRecordAgeSeconds,
          on_partial_batch_item_failure: 'AUTOMATIC_BISECT',
          dead_letter_config: { arn: outboxDlqArn() },
        });
        expect(stream.maximum_retry_attempts).to.be.within(0, 10_000);
        expect(stream.maximum_record_age_in_seconds).to.be.within(60, STREAM_RETENTION_SECONDS);
      });

      it('keeps the outbox DLQ encrypted for 14 days', () => {
        expect(named(synthesized, 'aws_sqs_queue', `${prefix}-outbox-dlq`)).to.deep.include({
          sqs_managed_sse_enabled: true,
          message_retention_seconds: 14 * 24 * 3600,
        });
      });

      it("logs the pipe's errors into a log group of its own, with the stage retention", () => {
        const logs = synthesized.idWhere('aws_cloudwatch_log_group', 'name', `/aws/vendedlogs/pipes/${prefix}-outbox`);
        expect(synthesized.resources('aws_cloudwatch_log_group')[logs]?.retention_in_days).to.equal(config.logRetentionDays);
        expect(named(synthesized, 'aws_pipes_pipe', `${prefix}-outbox`).log_configuration).to.deep.include({
          level: 'ERROR',
          cloudwatch_logs_log_destination: { log_group_arn: synthesized.ref('aws_cloudwatch_log_group', logs, 'arn') },
        });
      });

      it('gives the table the sparse outbox-pending index: shard and pending-since keys, keys only', () => {
        const table = synthesized.resources('aws_dynamodb_table')[tableId] as Props;
        expect(table.attribute).to.deep.include.members([
          { name: OUTBOX_PENDING_SHARD_ATTRIBUTE, type: 'N' },
          { name: OUTBOX_PENDING_SINCE_ATTRIBUTE, type: 'N' },
        ]);
        expect(table.global_secondary_index).to.deep.include({
          name: OUTBOX_PENDING_INDEX,
          hash_key: OUTBOX_PENDING_SHARD_ATTRIBUTE,
          range_key: OUTBOX_PENDING_SINCE_ATTRIBUTE,
          projection_type: 'KEYS_ONLY',
        });
      });

      it('runs the outbox redelivery and the DLQ redrive from one schedule: two runs of the redrive (reserved concurrency 1) never collide', () => {
        const redriveAlias = synthesized.ref('aws_lambda_alias', aliasId(synthesized, 'redrive'), 'arn');
        const schedules = Object.values(synthesized.resources('aws_scheduler_schedule')) as Props[];
        const onRedrive = schedules.filter((schedule) => (schedule.target as Props).arn === redriveAlias);
        expect(onRedrive.map((schedule) => schedule.name)).to.deep.equal([`${prefix}-redrive`]);
        expect(onRedrive[0]?.schedule_expression).to.equal(config.redriveSchedule);
        expect(JSON.parse(String((onRedrive[0]?.target as Props).input))).to.deep.equal(SCHEDULED_RUN_INPUT);
        // No function is the target of two schedules, whatever its reserved concurrency.
        const targets = schedules.map((schedule) => (schedule.target as Props).arn);
        expect(new Set(targets).size, 'one schedule per function').to.equal(targets.length);
        const invokeConfigs = Object.values(synthesized.resources('aws_lambda_function_event_invoke_config'));
        expect(invokeConfigs, 'one event invoke config for the redrive alias').to.have.length(1);
        expect(invokeConfigs[0]).to.deep.include({ maximum_retry_attempts: 0 });
      });

      it('outputs the outbox DLQ URL and the stream ARN', () => {
        const outputs = (JSON.parse(synthesized.json) as { output: Record<string, { value: string }> }).output;
        expect(outputs.outbox_dead_letter_queue_url?.value).to.equal(
          synthesized.ref('aws_sqs_queue', synthesized.idWhere('aws_sqs_queue', 'name', `${prefix}-outbox-dlq`), 'url'),
        );
        expect(outputs.idempotency_stream_arn?.value).to.equal(synthesized.ref('aws_dynamodb_table', tableId, 'stream_arn'));
      });
    });
  }

  describe('Method: alarms and dashboard', () => {
    for (const synthesized of [synthesize(stage('dev')), synthesize(stage('prod'))]) {
      const { config } = synthesized;
      const prefix = config.namePrefix;
      const alarm = (name: string): Props =>
        synthesized.resources('aws_cloudwatch_metric_alarm')[
          synthesized.idWhere('aws_cloudwatch_metric_alarm', 'alarm_name', `${prefix}-${name}`)
        ] as Props;
      describe(`Stage: ${config.stage}`, () => {
        it("alarms when the relay's oldest record is older than the stage allows", () => {
          expect(alarm('outbox-iterator-age')).to.deep.include({
            namespace: config.application.metricsNamespace,
            metric_name: OUTBOX_METRICS.iteratorAge,
            dimensions: { service: config.application.serviceName },
            statistic: 'Maximum',
            threshold: config.alarms.outboxIteratorAgeMs,
            comparison_operator: 'GreaterThanThreshold',
          });
        });

        it('alarms as soon as one record is noted in the outbox DLQ', () => {
          expect(alarm('outbox-dlq-not-empty')).to.deep.include({
            namespace: 'AWS/SQS',
            metric_name: 'ApproximateNumberOfMessagesVisible',
            dimensions: { QueueName: `${prefix}-outbox-dlq` },
            threshold: 1,
            comparison_operator: 'GreaterThanOrEqualToThreshold',
          });
        });

        it('alarms as soon as the relay skips a stream record it cannot read', () => {
          expect(alarm('outbox-records-unreadable')).to.deep.include({
            namespace: config.application.metricsNamespace,
            metric_name: OUTBOX_METRICS.unreadable,
            dimensions: { service: config.application.serviceName },
            threshold: 1,
          });
        });

        it('alarms when the pipe fails to run the relay', () => {
          expect(alarm('outbox-pipe-failed')).to.deep.include({
            namespace: PIPES_NAMESPACE,
            metric_name: PIPE_EXECUTION_FAILED,
            dimensions: { PipeName: `${prefix}-outbox` },
            statistic: 'Sum',
            threshold: config.alarms.functionErrorsThreshold,
          });
        });

        it('gives each outbox alarm (delivery lag, outbox DLQ, unreadable records, pipe failures) a widget of its own, and lists them', () => {
          const [dashboard] = Object.values(synthesized.resources('aws_cloudwatch_dashboard'));
          const widgets = (
            JSON.parse(String(dashboard?.dashboard_body)) as {
              widgets: { properties: { title?: string; alarms?: string[]; annotations?: { alarms?: string[] } } }[];
            }
          ).widgets;
          for (const name of ['outbox-iterator-age', 'outbox-dlq-not-empty', 'outbox-records-unreadable', 'outbox-pipe-failed']) {
            const arn = synthesized.ref(
              'aws_cloudwatch_metric_alarm',
              synthesized.idWhere('aws_cloudwatch_metric_alarm', 'alarm_name', `${prefix}-${name}`),
              'arn',
            );
            expect(
              widgets.some((widget) => widget.properties.annotations?.alarms?.includes(arn) === true),
              name,
            ).to.equal(true);
          }
          const listed = widgets.find((widget) => widget.properties.title === 'Alarms')?.properties.alarms ?? [];
          for (const name of ['outbox-iterator-age', 'outbox-dlq-not-empty', 'outbox-records-unreadable', 'outbox-pipe-failed']) {
            const id = synthesized.idWhere('aws_cloudwatch_metric_alarm', 'alarm_name', `${prefix}-${name}`);
            expect(listed, name).to.include(synthesized.ref('aws_cloudwatch_metric_alarm', id, 'arn'));
          }
        });
      });
    }
  });

  describe('Function: stageConfigProblems (outbox)', () => {
    it('accepts the shipped stages', () => {
      expect(stageConfigProblems(stage('dev'))).to.deep.equal([]);
      expect(stageConfigProblems(stage('prod'))).to.deep.equal([]);
    });

    it('refuses unbounded retries or record age, which would let one bad record block its shard', () => {
      expect(stageConfigProblems(withOutbox({ maximumRetryAttempts: -1 }))).to.deep.equal([
        'outbox.maximumRetryAttempts must be 0-10000 (bounded)',
      ]);
      expect(stageConfigProblems(withOutbox({ maximumRecordAgeSeconds: -1 }))).to.have.length(1);
      expect(stageConfigProblems(withOutbox({ maximumRecordAgeSeconds: STREAM_RETENTION_SECONDS + 1 }))).to.have.length(1);
    });

    it('refuses a sweep age beyond the stream retention', () => {
      expect(stageConfigProblems(withOutbox({ sweepAgeSeconds: -1 }))).to.deep.equal(['outbox.sweepAgeSeconds must be 0-86400']);
      expect(stageConfigProblems(withOutbox({ sweepAgeSeconds: 901, maximumRecordAgeSeconds: 900 }))).to.deep.equal([
        'outbox.sweepAgeSeconds must be at most outbox.maximumRecordAgeSeconds (records the pipe gave up on must be old enough to sweep)',
      ]);
    });

    it('refuses a batch size or batching window the pipe would not take', () => {
      expect(stageConfigProblems(withOutbox({ batchSize: 0 }))).to.deep.equal(['outbox.batchSize must be 1-100']);
      expect(stageConfigProblems(withOutbox({ batchingWindowSeconds: 301 }))).to.deep.equal(['outbox.batchingWindowSeconds must be 0-300']);
    });
  });
});
