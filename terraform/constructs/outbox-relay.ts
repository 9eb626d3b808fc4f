import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SQS_MAX_PAYLOAD_BYTES } from '../../domain/batch-packing.js';
import { OUTBOX_STREAM_FILTER } from '../../domain/outbox.js';
import { assumeRolePolicy, policyDocument } from '../iam-policy.js';
import type { OutboxSettings } from '../outbox-settings.js';
import { DEAD_LETTER_RETENTION_SECONDS } from '../stage-config.js';
import type { PipelineFunction } from './pipeline-function.js';

/** The names of the outbox's pipe and DLQ (the alarms name them too). */
export function outboxNames(namePrefix: string): { readonly pipe: string; readonly deadLetterQueue: string } {
  return { pipe: `${namePrefix}-outbox`, deadLetterQueue: `${namePrefix}-outbox-dlq` };
}

/**
 * Where the pipe notes the stream records it gave up on (bounded retries or age). Created before the
 * functions, because the redrive reads it (OUTBOX_DEAD_LETTER_QUEUE_URL). What a pipe sends for a stream
 * source is where the records were (shard, sequence numbers), not the records: the redrive re-reads the
 * table. Kept 14 days (the SQS maximum), encrypted with SQS-managed keys.
 */
export function outboxDeadLetterQueue(scope: Construct, id: string, namePrefix: string): SqsQueue {
  return new SqsQueue(scope, id, {
    name: outboxNames(namePrefix).deadLetterQueue,
    messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
    sqsManagedSseEnabled: true,
  });
}

export interface OutboxRelayProps {
  readonly namePrefix: string;
  /** The idempotency table's stream (new images), which must never be switched off under the pipe. */
  readonly streamArn: string;
  /** The `outbox-relay` function. The pipe invokes its `live` alias. */
  readonly relay: PipelineFunction;
  readonly deadLetterQueue: SqsQueue;
  readonly settings: OutboxSettings;
  readonly logRetentionDays: number;
  readonly accountId: string;
}

/**
 * Delivery of the transactional outbox: an EventBridge Pipe reads the idempotency table's stream from its
 * oldest record, passes only new images that carry undelivered events (OUTBOX_STREAM_FILTER), and invokes
 * the relay synchronously with a batch. The relay answers `batchItemFailures` (stream eventIDs); a failing
 * batch is bisected and retried within the stage's bounds, then its records are noted in the outbox DLQ
 * instead of blocking their shard. The redrive's one schedule (SCHEDULED_RUN_INPUT) redelivers, on every
 * tick, what records still owe (found through the table's sparse `outbox-pending` index), and answers the
 * DLQ's notes once their records are covered.
 */
export class OutboxRelay extends Construct {
  readonly pipe: PipesPipe;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: OutboxRelayProps) {
    super(scope, id);
    const name = outboxNames(props.namePrefix).pipe;
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/vendedlogs/pipes/${name}`,
      retentionInDays: props.logRetentionDays,
    });
    this.role = new IamRole(this, 'role', {
      name: `${name}-pipe`,
      assumeRolePolicy: assumeRolePolicy('pipes.amazonaws.com', props.accountId),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: policyDocument([
        {
          sid: 'ReadTableStream',
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [props.streamArn],
        },
        // ListStreams names no stream: IAM evaluates it against `*` only (see RESOURCELESS_ACTIONS).
        { sid: 'ListTableStreams', actions: ['dynamodb:ListStreams'], resources: ['*'] },
        { sid: 'InvokeRelay', actions: ['lambda:InvokeFunction'], resources: [props.relay.alias.arn] },
        { sid: 'NoteUndeliveredRecords', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.arn] },
        { sid: 'WritePipeLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${this.logGroup.arn}:*`] },
      ]),
    });
    const { settings } = props;
    this.pipe = new PipesPipe(this, 'pipe', {
      name,
      roleArn: this.role.arn,
      source: props.streamArn,
      target: props.relay.alias.arn,
      desiredState: 'RUNNING',
      sourceParameters: {
        dynamodbStreamParameters: {
          // The oldest record still in the stream: a pipe created (or re-created) after commits still relays them.
          startingPosition: 'TRIM_HORIZON',
          batchSize: settings.batchSize,
          maximumBatchingWindowInSeconds: settings.batchingWindowSeconds,
          maximumRetryAttempts: settings.maximumRetryAttempts,
          maximumRecordAgeInSeconds: settings.maximumRecordAgeSeconds,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: props.deadLetterQueue.arn },
        },
        filterCriteria: { filter: [{ pattern: JSON.stringify(OUTBOX_STREAM_FILTER) }] },
      },
      // Synchronous, so that the relay's batchItemFailures reach the pipe.
      targetParameters: { lambdaFunctionParameters: { invocationType: 'REQUEST_RESPONSE' } },
      logConfiguration: { level: 'ERROR', cloudwatchLogsLogDestination: { logGroupArn: this.logGroup.arn } },
      dependsOn: [policy],
    });
  }
}
