import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { chunks, type DeleteFailure, type PolledQueue, type ReceivedMessage } from './polled-queue.js';

const SQS_BATCH_LIMIT = 10;
/** Short long-polls keep the poller responsive to Ctrl-C while still not hammering the endpoint. */
const WAIT_TIME_SECONDS = 1;

/** A real SQS queue (or moto's), polled as Lambda polls it: every system and message attribute. */
export class AwsPolledQueue implements PolledQueue {
  private constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    readonly arn: string,
    readonly region: string,
  ) {}

  static async open(sqs: SQSClient, queueUrl: string): Promise<AwsPolledQueue> {
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const arn = attributes.Attributes?.QueueArn ?? `arn:aws:sqs:unknown:000000000000:${queueUrl.split('/').pop() ?? 'queue'}`;
    return new AwsPolledQueue(sqs, queueUrl, arn, arn.split(':')[3] ?? 'unknown');
  }

  async receive(max: number): Promise<readonly ReceivedMessage[]> {
    const response = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: WAIT_TIME_SECONDS,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return (response.Messages ?? []).map((message) => {
      const attributes: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
        if (value.StringValue !== undefined) attributes[name] = value.StringValue;
      }
      const system = message.Attributes ?? {};
      return {
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes,
        receiveCount: Number(system.ApproximateReceiveCount ?? 1),
        sentAt: Number(system.SentTimestamp ?? 0),
        firstReceivedAt: Number(system.ApproximateFirstReceiveTimestamp ?? Date.now()),
        senderId: system.SenderId ?? 'unknown',
      };
    });
  }

  async deleteBatch(receiptHandles: readonly string[]): Promise<readonly DeleteFailure[]> {
    const failures: DeleteFailure[] = [];
    for (const batch of chunks(receiptHandles, SQS_BATCH_LIMIT)) {
      const response = await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((ReceiptHandle, index) => ({ Id: `d${index}`, ReceiptHandle })),
        }),
      );
      for (const failed of response.Failed ?? []) {
        failures.push({
          receiptHandle: batch[Number((failed.Id ?? 'd0').slice(1))] ?? '',
          reason: `${failed.Code ?? 'Error'}: ${failed.Message ?? ''}`,
        });
      }
    }
    return failures;
  }

  async release(receiptHandles: readonly string[]): Promise<void> {
    for (const batch of chunks(receiptHandles, SQS_BATCH_LIMIT)) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((ReceiptHandle, index) => ({ Id: `r${index}`, ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }

  async changeVisibility(receiptHandle: string, timeoutSeconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: timeoutSeconds }),
    );
  }
}
