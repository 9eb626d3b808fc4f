import { Construct } from 'constructs';
import { CloudwatchEventArchive } from '@cdktf/provider-aws/lib/cloudwatch-event-archive/index.js';
import { CloudwatchEventBus } from '@cdktf/provider-aws/lib/cloudwatch-event-bus/index.js';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule/index.js';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy/index.js';
import { EVENT_TYPES } from '../../application/pipeline-events.js';
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

/**
 * The pipeline's custom bus, an archive of everything on it (replayable), and one rule for success and
 * one for failure events, both delivering to a queue an operator (or a downstream consumer) can read.
 * The queue accepts messages from exactly these rules.
 */
export class PipelineEventBus extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly archive: CloudwatchEventArchive;
  readonly rules: Readonly<Record<keyof typeof EVENT_RULES, CloudwatchEventRule>>;
  readonly operatorQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: PipelineEventBusProps) {
    super(scope, id);
    this.bus = new CloudwatchEventBus(this, 'bus', { name: `${props.namePrefix}-events` });
    this.archive = new CloudwatchEventArchive(this, 'archive', {
      name: `${props.namePrefix}-events`,
      eventSourceArn: this.bus.arn,
      retentionDays: props.archiveRetentionDays,
      description: 'Every event on the pipeline bus, for replay',
    });
    this.operatorQueue = new SqsQueue(this, 'operator-queue', {
      name: `${props.namePrefix}-pipeline-events`,
      messageRetentionSeconds: OPERATOR_QUEUE_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      sqsManagedSseEnabled: true,
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
      });
      return created;
    };
    this.rules = { success: rule('success'), failure: rule('failure') };
    new SqsQueuePolicy(this, 'operator-queue-policy', {
      queueUrl: this.operatorQueue.url,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PipelineRulesSendEvents',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: this.operatorQueue.arn,
            Condition: { ArnEquals: { 'aws:SourceArn': [this.rules.success.arn, this.rules.failure.arn] } },
          },
        ],
      }),
    });
  }
}
