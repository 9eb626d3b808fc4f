import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type BatchResultErrorEntry,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Clock } from '../../application/ports/clock.js';
import type { OutboundMessage, QueueMessage, SendFailure, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import type { Random } from '../../application/ports/random.js';
import { SQS_BATCH_LIMITS, packBatches, sqsMessageSizeBytes } from '../../domain/batch-packing.js';
import { TransientError } from '../../domain/errors.js';
import {
  DEFAULT_ENTRY_RETRY_POLICY,
  chunk,
  entryFailure,
  failureOfError,
  sendWithEntryRetries,
  systemRetryTools,
  type EntryFailure,
  type EntryOutcome,
  type EntryRetryPolicy,
  type RetryTools,
} from './entry-retry.js';

export interface SqsQueueOptions {
  readonly client: SQSClient;
  /** Built from the configured endpoint (see `queueUrlOnEndpoint`), so that requests reach that host. */
  readonly queueUrl: string;
  readonly clock?: Pick<Clock, 'sleep'>;
  readonly random?: Random;
  readonly entryRetry?: EntryRetryPolicy;
  /** Long-poll time of each ReceiveMessage call; 0 answers at once (a drained queue ends the page loop). */
  readonly receiveWaitTimeSeconds?: number;
}

const MAX_PER_CALL = 10;
const SYSTEM_ATTRIBUTES = ['ApproximateReceiveCount', 'SentTimestamp'] as const;

interface Indexed<T> {
  readonly id: string;
  readonly item: T;
}

/** Everything the pipeline does with one SQS queue; the port classes choose which of it they expose. */
export class SqsQueue {
  private readonly client: SQSClient;
  readonly queueUrl: string;
  private readonly tools: RetryTools;
  private readonly waitTimeSeconds: number;

  constructor(options: SqsQueueOptions) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
    this.tools = {
      policy: options.entryRetry ?? DEFAULT_ENTRY_RETRY_POLICY,
      clock: options.clock ?? systemRetryTools.clock,
      random: options.random ?? systemRetryTools.random,
    };
    this.waitTimeSeconds = options.receiveWaitTimeSeconds ?? 0;
  }

  /**
   * SendMessageBatch over batches packed within SQS's entry and byte limits. A message over the size
   * limit is never sent (VALIDATION). The first request's error propagates raw when nothing was sent;
   * once something was sent, an error settles the remaining messages as failed instead.
   */
  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    const indexed = messages.map((item, index) => ({ id: `m${index}`, item }));
    const { batches, oversized } = packBatches(indexed, ({ item }) => sqsMessageSizeBytes(item.body, item.attributes), SQS_BATCH_LIMITS);
    const sent: { id: string; messageId: string }[] = [];
    const failed: SendFailure[] = oversized.map(({ item }) => ({
      id: item.id,
      code: 'SQS.MESSAGE_TOO_LARGE',
      category: 'VALIDATION' as const,
      message: `message of ${sqsMessageSizeBytes(item.body, item.attributes)} bytes exceeds the SQS limit`,
    }));
    for (const [index, batch] of batches.entries()) {
      try {
        const result = await sendWithEntryRetries(batch, (entries) => this.sendBatchOnce(entries), this.tools);
        sent.push(...result.succeeded.map(({ entry, value }) => ({ id: entry.item.id, messageId: value })));
        failed.push(...result.failed.map(({ entry, failure }) => ({ id: entry.item.id, ...failure })));
      } catch (error) {
        if (sent.length === 0) throw error;
        const failure = failureOfError(error);
        for (const rest of batches.slice(index)) failed.push(...rest.map(({ item }) => ({ id: item.id, ...failure })));
        break;
      }
    }
    return { sent, failed };
  }

  /** Up to `max` visible messages, paging over the 10-per-call limit until the queue answers none. */
  async receive(max: number, visibilityTimeoutSeconds: number): Promise<QueueMessage[]> {
    const received: QueueMessage[] = [];
    while (received.length < max) {
      const response = await this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: Math.min(MAX_PER_CALL, max - received.length),
          VisibilityTimeout: visibilityTimeoutSeconds,
          WaitTimeSeconds: this.waitTimeSeconds,
          MessageSystemAttributeNames: [...SYSTEM_ATTRIBUTES],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages = (response.Messages ?? []).flatMap(toQueueMessage);
      if (messages.length === 0) break;
      received.push(...messages);
    }
    return received;
  }

  /** DeleteMessageBatch in groups of 10; returns the receipt handles that could not be deleted. */
  async delete(receiptHandles: readonly string[]): Promise<string[]> {
    const failures = await this.perEntryBatches(receiptHandles, 'settle', async (entries) => {
      const response = await this.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: entries.map(({ id, item }) => ({ Id: id, ReceiptHandle: item })),
        }),
      );
      return outcomesOf(entries, response.Successful ?? [], response.Failed ?? []);
    });
    return failures.map(({ item }) => item);
  }

  /**
   * ChangeMessageVisibilityBatch in groups of 10. A refused receipt handle (the message was deleted or
   * received again by someone else) is no longer ours to hold back and is ignored; a failure on the
   * service's side that outlasts the retries is thrown, so the caller knows the messages were not held.
   * A refused call is thrown whenever it happens, even after earlier groups went through: unlike a send,
   * a visibility change can be repeated safely.
   */
  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    const failures = await this.perEntryBatches(changes, 'throw', async (entries) => {
      const response = await this.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: entries.map(({ id, item }) => ({ Id: id, ReceiptHandle: item.receiptHandle, VisibilityTimeout: item.timeoutSeconds })),
        }),
      );
      return outcomesOf(entries, response.Successful ?? [], response.Failed ?? []);
    });
    const serverSide = failures.filter(({ failure }) => failure.category !== 'PERMANENT' && failure.category !== 'VALIDATION');
    if (serverSide.length > 0) {
      throw new TransientError(`could not change the visibility of ${serverSide.length} message(s)`, {
        code: 'SQS.CHANGE_VISIBILITY_FAILED',
        context: { codes: [...new Set(serverSide.map(({ failure }) => failure.code))] },
        // The service's own answer, so a breaker counts it against SQS's health.
        cause: { name: serverSide[0]?.failure.code, message: serverSide[0]?.failure.message, $retryable: {} },
      });
    }
  }

  private async sendBatchOnce(entries: readonly Indexed<OutboundMessage>[]): Promise<EntryOutcome<Indexed<OutboundMessage>, string>[]> {
    const response = await this.client.send(
      new SendMessageBatchCommand({
        QueueUrl: this.queueUrl,
        Entries: entries.map(({ id, item }) => ({
          Id: id,
          MessageBody: item.body,
          MessageAttributes: toMessageAttributes(item.attributes),
          ...(item.delaySeconds === undefined ? {} : { DelaySeconds: item.delaySeconds }),
          ...(item.groupId === undefined ? {} : { MessageGroupId: item.groupId }),
        })),
      }),
    );
    const messageIds = new Map((response.Successful ?? []).map((entry) => [entry.Id, entry.MessageId ?? '']));
    return settle(entries, messageIds, response.Failed ?? []);
  }

  /**
   * Runs `sendOnce` over groups of 10 with entry retries. A refused first call is thrown; a refused later
   * call is thrown too with `onRefusal: 'throw'`, or settles the items left as failed with `'settle'`
   * (the rule of `send`).
   */
  private async perEntryBatches<T>(
    items: readonly T[],
    onRefusal: 'settle' | 'throw',
    sendOnce: (entries: readonly Indexed<T>[]) => Promise<EntryOutcome<Indexed<T>, true>[]>,
  ): Promise<{ item: T; failure: EntryFailure }[]> {
    const groups = chunk(
      items.map((item, index) => ({ id: `e${index}`, item })),
      MAX_PER_CALL,
    );
    const failures: { item: T; failure: EntryFailure }[] = [];
    let settled = 0;
    for (const [index, group] of groups.entries()) {
      try {
        const result = await sendWithEntryRetries(group, sendOnce, this.tools);
        settled += result.succeeded.length;
        failures.push(...result.failed.map(({ entry, failure }) => ({ item: entry.item, failure })));
      } catch (error) {
        if (settled === 0 || onRefusal === 'throw') throw error;
        const failure = failureOfError(error);
        for (const rest of groups.slice(index)) failures.push(...rest.map(({ item }) => ({ item, failure })));
        break;
      }
    }
    return failures;
  }
}

function settle<T, S>(
  entries: readonly Indexed<T>[],
  successes: ReadonlyMap<string | undefined, S>,
  failures: readonly BatchResultErrorEntry[],
): EntryOutcome<Indexed<T>, S>[] {
  const failuresById = new Map(failures.map((failure) => [failure.Id, failure]));
  return entries.map((entry) => {
    const value = successes.get(entry.id);
    if (value !== undefined) return { entry, ok: true, value };
    const failure = failuresById.get(entry.id);
    // moto sends SenderFault as the string "true"; AWS as a boolean.
    const senderFault = failure?.SenderFault === true || String(failure?.SenderFault) === 'true';
    const code = failure?.Code ?? 'InternalError';
    const message = failure?.Message ?? 'the batch response did not mention this entry';
    return { entry, ok: false, failure: entryFailure(code, message, !senderFault), retryable: !senderFault };
  });
}

function outcomesOf<T>(
  entries: readonly Indexed<T>[],
  successful: readonly { readonly Id?: string | undefined }[],
  failed: readonly BatchResultErrorEntry[],
): EntryOutcome<Indexed<T>, true>[] {
  return settle(entries, new Map(successful.map((entry) => [entry.Id, true as const])), failed);
}

function toMessageAttributes(attributes: Readonly<Record<string, string>>): Record<string, MessageAttributeValue> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}

function toQueueMessage(message: Message): QueueMessage[] {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) return [];
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined && /^(String|Number)/.test(value.DataType ?? '')) attributes[name] = value.StringValue;
  }
  return [
    {
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body ?? '',
      attributes,
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
      sentAt: Number(message.Attributes?.SentTimestamp ?? '0'),
    },
  ];
}
