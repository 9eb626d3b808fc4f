import { randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import type { QueueMessage } from '../../application/ports/queue-message.js';
import { SQS_MAX_PAYLOAD_BYTES, sqsMessageSizeBytes } from '../../domain/batch-packing.js';
import { SqsServiceError } from './sqs-service-error.js';
import {
  SQS_LIMITS,
  assertBatchShape,
  assertIntegerInRange,
  assertQueueName,
  assertValidMessage,
  invalidParameter,
} from './sqs-validation.js';
import {
  batchError,
  eachEntry,
  stateOf,
  type InMemorySqsOptions,
  type PeekedMessage,
  type QueueOptions,
  type QueueState,
  type QueueStats,
  type SqsBatchErrorEntry,
  type SqsBatchResult,
  type SqsReceiptEntry,
  type SqsReceiveRequest,
  type SqsSendBatchEntry,
  type SqsSendBatchResult,
  type SqsSendRequest,
  type SqsVisibilityEntry,
  type StoredMessage,
} from './sqs-types.js';

/**
 * An SQS-like broker holding named standard queues, driven by an injected clock. It keeps the semantics
 * the pipeline relies on: visibility timeouts, DelaySeconds, receive counts, redrive to a dead-letter
 * queue (moved on the receive after the count reached maxReceiveCount, as SQS and moto do, with body,
 * attributes, message id and sent time kept), the batch rules (1–10 entries, distinct ids, 1 MiB in
 * total, per-entry failures with SenderFault) and the message size counted as SQS counts it.
 *
 * One deliberate difference: a receipt handle from an earlier receive is refused (ReceiptHandleIsInvalid)
 * for delete and visibility changes, where SQS may silently ignore it and moto accepts it. A worker whose
 * message was re-delivered to someone else therefore learns it, loudly, in tests.
 */
export class InMemorySqs {
  private readonly clock: Clock;
  private readonly newMessageId: () => string;
  private readonly queues = new Map<string, QueueState>();
  private handleSequence = 0;

  constructor(options: InMemorySqsOptions) {
    this.clock = options.clock;
    this.newMessageId = options.newMessageId ?? randomUUID;
  }

  createQueue(name: string, options: QueueOptions): void {
    assertQueueName(name);
    assertIntegerInRange('VisibilityTimeout', options.visibilityTimeoutSeconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    const delaySeconds = options.delaySeconds ?? 0;
    assertIntegerInRange('DelaySeconds', delaySeconds, 0, SQS_LIMITS.maxDelaySeconds);
    const maxMessageBytes = options.maxMessageBytes ?? SQS_LIMITS.maxMaxMessageBytes;
    assertIntegerInRange('MaximumMessageSize', maxMessageBytes, SQS_LIMITS.minMaxMessageBytes, SQS_LIMITS.maxMaxMessageBytes);
    const redrive = options.redrivePolicy;
    if (redrive !== undefined) {
      const [min, max] = SQS_LIMITS.maxReceiveCountRange;
      assertIntegerInRange('maxReceiveCount', redrive.maxReceiveCount, min, max);
      if (redrive.deadLetterQueue === name) throw invalidParameter('A queue cannot be its own dead-letter queue.');
      this.queue(redrive.deadLetterQueue);
    }
    if (this.queues.has(name)) throw new SqsServiceError('QueueNameExists', `A queue named ${name} already exists.`);
    this.queues.set(name, {
      name,
      options: {
        visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
        delaySeconds,
        maxMessageBytes,
        ...(redrive ? { redrivePolicy: { ...redrive } } : {}),
      },
      messages: new Map(),
      deletedHandles: new Set(),
    });
  }

  /**
   * Deletes the queue and its messages; every later call naming it is refused with QueueDoesNotExist, as
   * moto does at once (SQS may still answer for up to 60 s). A queue that used it as its dead-letter
   * queue keeps its messages past maxReceiveCount rather than losing them (moto moves them into the
   * deleted queue, where nothing can read them).
   */
  deleteQueue(name: string): void {
    this.queue(name);
    this.queues.delete(name);
  }

  hasQueue(name: string): boolean {
    return this.queues.has(name);
  }

  queueNames(): readonly string[] {
    return [...this.queues.keys()];
  }

  /** Returns the message id. Throws (InvalidParameterValue, InvalidMessageContents) when SQS would refuse it. */
  sendMessage(queueName: string, request: SqsSendRequest): string {
    const queue = this.queue(queueName);
    return this.enqueue(queue, request);
  }

  sendMessageBatch(queueName: string, entries: readonly SqsSendBatchEntry[]): SqsSendBatchResult {
    const queue = this.queue(queueName);
    assertBatchShape(entries);
    const totalBytes = entries.reduce((sum, entry) => sum + sqsMessageSizeBytes(entry.body, entry.attributes ?? {}), 0);
    if (totalBytes > SQS_MAX_PAYLOAD_BYTES) {
      throw new SqsServiceError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${SQS_MAX_PAYLOAD_BYTES} bytes. You have sent ${totalBytes} bytes.`,
      );
    }
    const successful: { id: string; messageId: string }[] = [];
    const failed: SqsBatchErrorEntry[] = [];
    for (const entry of entries) {
      try {
        successful.push({ id: entry.id, messageId: this.enqueue(queue, entry) });
      } catch (error) {
        failed.push(batchError(entry.id, error));
      }
    }
    return { successful, failed };
  }

  receiveMessages(queueName: string, request: SqsReceiveRequest = {}): QueueMessage[] {
    const queue = this.queue(queueName);
    const max = request.maxMessages ?? 1;
    assertIntegerInRange('MaxNumberOfMessages', max, 1, SQS_LIMITS.maxMessagesPerReceive);
    const visibilityTimeoutSeconds = request.visibilityTimeoutSeconds ?? queue.options.visibilityTimeoutSeconds;
    assertIntegerInRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    const now = this.clock.now();
    const received: QueueMessage[] = [];
    const toDeadLetter: StoredMessage[] = [];
    for (const message of queue.messages.values()) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      const redrive = queue.options.redrivePolicy;
      if (redrive !== undefined && message.receiveCount >= redrive.maxReceiveCount && this.queues.has(redrive.deadLetterQueue)) {
        toDeadLetter.push(message);
        continue;
      }
      received.push(this.deliver(message, now, visibilityTimeoutSeconds));
    }
    for (const message of toDeadLetter) this.moveToDeadLetterQueue(queue, message, now);
    return received;
  }

  /** Deletes by the latest receipt handle; deleting a message already deleted with that handle succeeds. */
  deleteMessage(queueName: string, receiptHandle: string): void {
    const queue = this.queue(queueName);
    if (queue.deletedHandles.has(receiptHandle)) return;
    const message = this.messageHolding(queue, receiptHandle);
    queue.messages.delete(message.messageId);
    queue.deletedHandles.add(receiptHandle);
  }

  deleteMessageBatch(queueName: string, entries: readonly SqsReceiptEntry[]): SqsBatchResult {
    this.queue(queueName);
    assertBatchShape(entries);
    return eachEntry(entries, (entry) => this.deleteMessage(queueName, entry.receiptHandle));
  }

  changeMessageVisibility(queueName: string, receiptHandle: string, visibilityTimeoutSeconds: number): void {
    const queue = this.queue(queueName);
    assertIntegerInRange('VisibilityTimeout', visibilityTimeoutSeconds, 0, SQS_LIMITS.maxVisibilityTimeoutSeconds);
    const message = this.messageHolding(queue, receiptHandle);
    const now = this.clock.now();
    const visibleAt = now + visibilityTimeoutSeconds * 1000;
    // The 12-hour ceiling counts from the first receive; extending does not restart it.
    if (visibleAt - (message.firstReceivedAt ?? now) > SQS_LIMITS.maxVisibilityTimeoutSeconds * 1000) {
      throw invalidParameter(
        `Value ${visibilityTimeoutSeconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.maxVisibilityTimeoutSeconds} seconds].`,
      );
    }
    message.visibleAt = visibleAt;
  }

  changeMessageVisibilityBatch(queueName: string, entries: readonly SqsVisibilityEntry[]): SqsBatchResult {
    this.queue(queueName);
    assertBatchShape(entries);
    return eachEntry(entries, (entry) => this.changeMessageVisibility(queueName, entry.receiptHandle, entry.visibilityTimeoutSeconds));
  }

  purge(queueName: string): void {
    this.queue(queueName).messages.clear();
  }

  stats(queueName: string): QueueStats {
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.peekAll(queueName)) {
      if (message.state === 'VISIBLE') counts.visible += 1;
      else if (message.state === 'IN_FLIGHT') counts.inFlight += 1;
      else counts.delayed += 1;
    }
    return counts;
  }

  /** Every stored message with its state, without receiving anything (for the harness' status page). */
  peekAll(queueName: string): PeekedMessage[] {
    const now = this.clock.now();
    return [...this.queue(queueName).messages.values()].map((message) => ({
      messageId: message.messageId,
      ...(message.groupId === undefined ? {} : { groupId: message.groupId }),
      body: message.body,
      attributes: { ...message.attributes },
      receiveCount: message.receiveCount,
      sentAt: message.sentAt,
      visibleAt: message.visibleAt,
      state: stateOf(message, now),
    }));
  }

  private enqueue(queue: QueueState, request: SqsSendRequest): string {
    const attributes = { ...(request.attributes ?? {}) };
    const delaySeconds = request.delaySeconds ?? queue.options.delaySeconds;
    assertIntegerInRange('DelaySeconds', delaySeconds, 0, SQS_LIMITS.maxDelaySeconds);
    assertValidMessage(request.body, attributes);
    const size = sqsMessageSizeBytes(request.body, attributes);
    if (size > queue.options.maxMessageBytes) {
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${queue.options.maxMessageBytes} bytes.`,
      );
    }
    const now = this.clock.now();
    const messageId = this.newMessageId();
    queue.messages.set(messageId, {
      messageId,
      ...(request.groupId === undefined ? {} : { groupId: request.groupId }),
      body: request.body,
      attributes,
      sentAt: now,
      visibleAt: now + delaySeconds * 1000,
      receiveCount: 0,
    });
    return messageId;
  }

  private deliver(message: StoredMessage, now: number, visibilityTimeoutSeconds: number): QueueMessage {
    this.handleSequence += 1;
    message.receiveCount += 1;
    message.receiptHandle = `rh-${this.handleSequence}-${message.messageId}`;
    message.visibleAt = now + visibilityTimeoutSeconds * 1000;
    message.firstReceivedAt ??= now;
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle,
      body: message.body,
      attributes: { ...message.attributes },
      receiveCount: message.receiveCount,
      sentAt: message.sentAt,
    };
  }

  private moveToDeadLetterQueue(queue: QueueState, message: StoredMessage, now: number): void {
    const deadLetterQueue = this.queue(queue.options.redrivePolicy?.deadLetterQueue ?? '');
    queue.messages.delete(message.messageId);
    const { receiptHandle: _stale, firstReceivedAt: _received, ...kept } = message;
    deadLetterQueue.messages.set(message.messageId, { ...kept, visibleAt: now });
  }

  private messageHolding(queue: QueueState, receiptHandle: string): StoredMessage {
    for (const message of queue.messages.values()) {
      if (message.receiptHandle === receiptHandle) return message;
    }
    throw new SqsServiceError('ReceiptHandleIsInvalid', `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`);
  }

  private queue(name: string): QueueState {
    const queue = this.queues.get(name);
    if (queue === undefined) throw new SqsServiceError('QueueDoesNotExist', `The specified queue ${name} does not exist.`);
    return queue;
  }
}
