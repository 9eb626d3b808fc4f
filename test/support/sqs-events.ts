import 'reflect-metadata';
import type { Context, SQSEvent } from 'aws-lambda';
import type { QueueMessage } from '../../application/ports/queue-message.js';
import { toSqsRecord } from '../../harness/emulation/event-sources/sqs-event.js';

/** A Lambda context with the two members the worker reads. */
export function lambdaContext(awsRequestId: string, remainingTimeMs = 60_000): Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'> {
  return { awsRequestId, getRemainingTimeInMillis: () => remainingTimeMs };
}

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:orders';
const SENDER_ID = 'AIDAIENQZJOLO23YVJ4VO';

/** The SQS event Lambda's event source mapping would send for `messages` (String attributes only, as the pipeline writes). */
export function toSqsEvent(messages: readonly QueueMessage[], eventSourceARN = QUEUE_ARN): SQSEvent {
  const source = { arn: eventSourceARN, region: 'eu-west-1' };
  // As the harness' event source builds them (real digests), first received when sent.
  return { Records: messages.map((message) => toSqsRecord({ ...message, senderId: SENDER_ID, firstReceivedAt: message.sentAt }, source)) };
}
