import type { SQSRecord } from 'aws-lambda';
import type { QueueMessage } from '../../application/ports/queue-message.js';

/** An SQS event record as the use cases read it. */
export function toQueueMessage(record: SQSRecord): QueueMessage {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    if (value.stringValue !== undefined) attributes[name] = value.stringValue;
  }
  return {
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    body: record.body,
    attributes,
    receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
    sentAt: Number(record.attributes.SentTimestamp) || 0,
  };
}
