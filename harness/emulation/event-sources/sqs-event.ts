import { createHash } from 'node:crypto';
import type { SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { ReceivedMessage } from './polled-queue.js';

/** One record of the SQSEvent Lambda builds from a received message. */
export function toSqsRecord(message: ReceivedMessage, source: { readonly arn: string; readonly region: string }): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.attributes)) {
    messageAttributes[name] = { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
  }
  const names = Object.keys(message.attributes);
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: message.senderId,
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
    },
    messageAttributes,
    md5OfBody: md5(Buffer.from(message.body, 'utf8')),
    ...(names.length === 0 ? {} : { md5OfMessageAttributes: md5OfStringAttributes(message.attributes) }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.arn,
    awsRegion: source.region,
  };
}

/**
 * SQS's digest of message attributes: for each attribute in name order, the name, the data type and the
 * value, each prefixed with its 4-byte big-endian length, with transport type 1 (string) before the value.
 */
export function md5OfStringAttributes(attributes: Readonly<Record<string, string>>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(attributes).sort()) {
    parts.push(lengthPrefixed(name), lengthPrefixed('String'), Buffer.from([1]), lengthPrefixed(attributes[name] ?? ''));
  }
  return md5(Buffer.concat(parts));
}

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}
