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
  /** A second source queue, built the same way and sharing the DLQ: the orchestrated topology's while both run, and until it has drained. */
  readonly orchestratedQueueName?: string;
}

/**
 * The order queue and its dead-letter queue, and while both topologies run (then until it has drained)
 * the orchestrated queue beside the order queue. SQS moves a message to the DLQ once its receive count
 * exceeds `maxReceiveCount`; the DLQ accepts messages from these source queues only and keeps them for
 * 14 days, longer than a source queue, because a message keeps its original enqueue time when it moves.
 * One DLQ for both, so that the redrive and the alarms see every failed order whichever topology worked
 * it. All are encrypted with SQS-managed keys and accept the 1 MiB messages SQS allows (the provider's
 * default is still 256 KiB).
 */
export class QueueWithDlq extends Construct {
  readonly queue: SqsQueue;
  readonly orchestratedQueue: SqsQueue | undefined;
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.deadLetterQueue = new SqsQueue(this, 'dlq', {
      name: `${props.name}-dlq`,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
      sqsManagedSseEnabled: true,
    });
    const sourceQueue = (queueId: string, name: string): SqsQueue =>
      new SqsQueue(this, queueId, {
        name,
        visibilityTimeoutSeconds: props.visibilityTimeoutSeconds,
        messageRetentionSeconds: props.retentionSeconds,
        maxMessageSize: SQS_MAX_PAYLOAD_BYTES,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount }),
      });
    this.queue = sourceQueue('queue', props.name);
    this.orchestratedQueue =
      props.orchestratedQueueName === undefined ? undefined : sourceQueue('orchestrated-queue', props.orchestratedQueueName);
    const sources = this.orchestratedQueue === undefined ? [this.queue] : [this.queue, this.orchestratedQueue];
    new SqsQueueRedriveAllowPolicy(this, 'redrive-allow', {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: sources.map((queue) => queue.arn) }),
    });
  }
}
