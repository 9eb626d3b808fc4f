import 'reflect-metadata';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueMessage } from '../../application/ports/queue-message.js';

/** A Lambda context with the two members the worker reads. */
export function lambdaContext(awsRequestId: string, remainingTimeMs = 60_000): Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'> {
  return { awsRequestId, getRemainingTimeInMillis: () => remainingTimeMs };
}

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders';

/** The SQS event Lambda's event source mapping would send for `messages` (String attributes only, as the pipeline writes). */
export function toSqsEvent(messages: readonly QueueMessage[], eventSourceARN = QUEUE_ARN): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, eventSourceARN)) };
}

function toSqsRecord(message: QueueMessage, eventSourceARN: string): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: String(message.sentAt),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.attributes).map(([name, stringValue]) => [
        name,
        { stringValue, stringListValues: [], binaryListValues: [], dataType: 'String' },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'eu-west-1',
  };
}
