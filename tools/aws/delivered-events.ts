import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** An event as EventBridge delivers it to an SQS target. */
export interface DeliveredEvent {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly time: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

/**
 * Reads (and deletes) what the bootstrap's rule delivered to the events queue, until `max` events or
 * the queue answers none. For specs and the harness: the proof that an event reached the bus.
 */
export async function readDeliveredEvents(sqs: SQSClient, eventsQueueUrl: string, max = 100): Promise<DeliveredEvent[]> {
  const delivered: DeliveredEvent[] = [];
  while (delivered.length < max) {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: eventsQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - delivered.length),
        WaitTimeSeconds: 0,
      }),
    );
    const messages = response.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) delivered.push(parseEnvelope(message.Body ?? ''));
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: eventsQueueUrl,
        Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })),
      }),
    );
  }
  return delivered;
}

function parseEnvelope(body: string): DeliveredEvent {
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null) throw new Error('delivered event is not a JSON object');
  const envelope = parsed as Record<string, unknown>;
  const text = (name: string): string => (typeof envelope[name] === 'string' ? envelope[name] : '');
  const detail = envelope.detail;
  return {
    id: text('id'),
    source: text('source'),
    detailType: text('detail-type'),
    time: text('time'),
    detail: typeof detail === 'object' && detail !== null ? (detail as Record<string, unknown>) : {},
  };
}
