import { Construct } from 'constructs';
import { CloudwatchEventArchive } from '@cdktf/provider-aws/lib/cloudwatch-event-archive/index.js';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus/index.js';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { SQS_MAX_PAYLOAD_BYTES } from '../../domain/batch-packing.js';

export interface PipelineEventBusProps {
  readonly namePrefix: string;
  readonly eventSource: string;
  readonly archiveRetentionDays: number;
}

/** The rules and the detail types each routes to the operator queue. */
export const EVENT_RULES = {
  success: [EVENT_TYPES.processed],
  failure: [EVENT_TYPES.failed, EVENT_TYPES.parked],
} as const;

const OPERATOR_QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/** Receives before a subscriber's message moves to the events DLQ. */
export const PIPELINE_EVENTS_MAX_RECEIVE_COUNT = 5;

/**
 * How long EventBridge keeps retrying a delivery to the queue before it dead-letters the event: an hour
 * and 20 attempts rather than the default 24 hours and 185, so that a broken delivery (a queue policy or
 * encryption change) reaches the DLQ alarm the same hour.
 */
export const EVENT_DELIVERY_RETRY = { maximumEventAgeInSeconds: 3600, maximumRetryAttempts: 20 } as const;

/**
 * The pipeline's custom bus, an archive of everything on it (replayable), and one rule for success and
 * one for failure events, both delivering to the `pipeline-events` queue: the place for an operator or a
 * downstream consumer to subscribe (a consumer that wants other events adds a rule of its own on the
 * bus). The queue accepts messages from exactly these rules. One DLQ (`pipeline-events-dlq`) takes both
 * the events EventBridge could not deliver (after its retry policy) and the messages a subscriber failed
 * to process `PIPELINE_EVENTS_MAX_RECEIVE_COUNT` times.
 */
export class PipelineEventBus extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly archive: CloudwatchEventArchive;
  readonly rules: Readonly<Record<keyof typeof EVENT_RULES, CloudwatchEventRule>>;
  readonly operatorQueue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: PipelineEventBusProps) {
    super(scope, id);
    this.bus = new CloudwatchEventBus(this, 'bus', { name: `${props.namePrefix}-events` });
    this.archive = new CloudwatchEventArchive(this, 'archive', {
      name: `${props.namePrefix}-events`,
      eventSourceArn: this.bus.arn,
      retentionDays: props.archiveRetentionDays,
      description: 'Every event on the pipeline bus, for replay',
    });
    this.deadLetterQueue = new SqsQueue(this, 'events-dlq', {
      name: `${props.namePrefix}-pipeline-events-dlq`,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      sqsManagedSseEnabled: true,
    });
    this.operatorQueue = new SqsQueue(this, 'operator-queue', {
      name: `${props.namePrefix}-pipeline-events`,
      messageRetentionSeconds: OPERATOR_QUEUE_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: PIPELINE_EVENTS_MAX_RECEIVE_COUNT }),
    });
    const rule = (kind: keyof typeof EVENT_RULES): CloudwatchEventRule => {
      const created = new CloudwatchEventRule(this, `${kind}-rule`, {
        name: `${props.namePrefix}-order-${kind}`,
        eventBusName: this.bus.name,
        description: `Order ${kind} events to the operator queue`,
        eventPattern: JSON.stringify({ source: [props.eventSource], 'detail-type': [...EVENT_RULES[kind]] }),
      });
      new CloudwatchEventTarget(this, `${kind}-target`, {
        rule: created.name,
        eventBusName: this.bus.name,
        targetId: 'operator-queue',
        arn: this.operatorQueue.arn,
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
        retryPolicy: { ...EVENT_DELIVERY_RETRY },
      });
      return created;
    };
    this.rules = { success: rule('success'), failure: rule('failure') };
    const rulesMaySend = (queue: SqsQueue, sid: string): string =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: sid,
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queue.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': [this.rules.success.arn, this.rules.failure.arn] } },
          },
        ],
      });
    new SqsQueuePolicy(this, 'operator-queue-policy', {
      queueUrl: this.operatorQueue.url,
      policy: rulesMaySend(this.operatorQueue, 'PipelineRulesSendEvents'),
    });
    new SqsQueuePolicy(this, 'events-dlq-policy', {
      queueUrl: this.deadLetterQueue.url,
      policy: rulesMaySend(this.deadLetterQueue, 'PipelineRulesDeadLetterEvents'),
    });
  }
}
