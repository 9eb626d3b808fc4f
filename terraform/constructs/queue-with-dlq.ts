import { Construct } from 'constructs';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { SqsQueueRedriveAllowPolicy } from '@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy/index.js';
import { SQS_MAX_PAYLOAD_BYTES } from '../../domain/batch-packing.js';
import { DEAD_LETTER_RETENTION_SECONDS } from '../stage-config.js';

export interface QueueWithDlqProps {
  readonly name: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly maxReceiveCount: number;
}

/**
 * The order queue and its dead-letter queue. SQS moves a message to the DLQ once its receive count
 * exceeds `maxReceiveCount`; the DLQ accepts messages from this queue only and keeps them for 14 days,
 * longer than the source queue, because a message keeps its original enqueue time when it moves.
 * Both are encrypted with SQS-managed keys and accept the 1 MiB messages SQS allows (the provider's
 * default is still 256 KiB).
 */
export class QueueWithDlq extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: `${props.name}-dlq`,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      sqsManagedSseEnabled: true,
    });
    this.queue = new SqsQueue(this, 'queue', {
      name: props.name,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
      messageRetentionSeconds: props.retentionSeconds,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      receiveWaitTimeSeconds: 20,
      sqsManagedSseEnabled: true,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount }),
    });
    new SqsQueueRedriveAllowPolicy(this, 'redrive-allow', {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [this.queue.arn] }),
    });
  }
}
