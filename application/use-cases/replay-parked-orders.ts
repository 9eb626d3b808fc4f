import { inject, injectable } from 'inversify';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import { ValidationError } from '../../domain/errors.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import { orderMessageAttributes, parseOrderMessage, type OrderEnvelope } from '../orders/order-message.js';
import { toOutboxEntry } from '../events/outbox-events.js';
import { orderReplayedEvent, type EventContext } from '../events/pipeline-events.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import { TOKENS } from '../tokens.js';
import { ProcessOrder } from './process-order.js';

/** Which parked orders to bring back: named keys, or every PARKED record (of a category), up to a limit. */
export interface ReplayRequest {
  readonly keys?: readonly string[];
  readonly category?: ErrorCategory;
  readonly limit?: number;
}

export type ReplayRefusal =
  'NOT_FOUND' | 'NOT_PARKED' | 'NO_MESSAGE' | 'MESSAGE_TRUNCATED' | 'MESSAGE_UNREADABLE' | 'CHANGED' | 'SEND_FAILED';

export interface ReplayReport {
  /** `resumed`: the outcome had been committed; only its events are delivered again. Otherwise the order was sent back to the queue. */
  readonly replayed: readonly { readonly key: string; readonly resumed: boolean; readonly replay: number }[];
  readonly refused: readonly { readonly key: string; readonly reason: ReplayRefusal; readonly detail: string }[];
}

export const DEFAULT_REPLAY_LIMIT = 100;
const MAX_REPLAY_LIMIT = 1_000;

/**
 * An operator brings parked orders back. A PARKED record whose outcome was committed becomes SUCCEEDED
 * and its announcements are (re)delivered through the outbox: the business step does not run again.
 * One whose outcome was not committed is reset to RETRY with a fresh attempt budget and its kept message
 * is sent to the order queue, where the worker claims it as usual (the idempotency guarantee holds: a
 * record commits its outcome once). Any other key is refused with the reason. Every replay is announced
 * by an OrderReplayed event, committed with it, and logged.
 */
@injectable()
export class ReplayParkedOrders {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(ProcessOrder) private readonly process: ProcessOrder,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(request: ReplayRequest): Promise<ReplayReport> {
    const targets = await this.targets(request);
    const replayed: ReplayReport['replayed'][number][] = [];
    const refused: ReplayReport['refused'][number][] = [];
    for (const target of targets) {
      const answer = typeof target === 'string' ? await this.refuseMissing(target) : await this.replay(target);
      if ('reason' in answer) refused.push(answer);
      else replayed.push(answer);
    }
    this.metrics.add('OrdersReplayed', replayed.length, 'Count');
    this.logger.info('replay finished', { replayed: replayed.length, refused: refused.length });
    return { replayed, refused };
  }

  private async targets(request: ReplayRequest): Promise<(IdempotencyRecord | string)[]> {
    const limit = Math.min(request.limit ?? DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT);
    if (request.keys !== undefined && request.keys.length > 0) {
      const keys = [...new Set(request.keys)].slice(0, limit);
      return Promise.all(keys.map(async (key) => (await this.store.get(key, this.clock.now())) ?? key));
    }
    // Replaying everything parked at once is never what an operator means: a filter is required.
    if (request.category === undefined) throw new ValidationError('a replay names keys or a category', { code: 'REPLAY.NOTHING_SELECTED' });
    return this.store.find({ parked: { category: request.category }, limit }, this.clock.now());
  }

  private async refuseMissing(key: string): Promise<ReplayReport['refused'][number]> {
    return { key, reason: 'NOT_FOUND', detail: 'no live idempotency record for this key' };
  }

  private async replay(record: IdempotencyRecord): Promise<ReplayReport['replayed'][number] | ReplayReport['refused'][number]> {
    const { key } = record;
    if (record.status !== 'PARKED')
      return { key, reason: 'NOT_PARKED', detail: `the record is ${record.status}; only PARKED orders are replayed` };
    const resumed = record.outcome !== undefined;
    let envelope: OrderEnvelope | undefined;
    if (!resumed) {
      const readable = this.envelopeOf(record);
      if ('reason' in readable) return { key, ...readable };
      envelope = readable.envelope;
    }
    const replay = (record.replays ?? 0) + 1;
    const context = this.contextOf(record);
    const events = [
      ...(record.outcome === undefined ? [] : this.process.announcements(context, record.outcome)),
      orderReplayedEvent(context, { replay, resumed, ...(record.lastError === undefined ? {} : { previousFailure: record.lastError }) }),
    ].map(toOutboxEntry);
    const answer = await this.store.replay(record, events, this.clock.now());
    if (!answer.replayed)
      return { key, reason: 'CHANGED', detail: `the record changed during the replay (now ${answer.record?.status ?? 'gone'})` };
    if (envelope !== undefined && !(await this.sendBack(envelope, record, replay))) {
      return { key, reason: 'SEND_FAILED', detail: 'the order queue refused the message; the record is PARKED again' };
    }
    this.logger.info('order replayed', { idempotencyKey: key, replay, resumed, previousCategory: record.lastError?.category });
    return { key, resumed, replay };
  }

  private envelopeOf(record: IdempotencyRecord): { envelope: OrderEnvelope } | { reason: ReplayRefusal; detail: string } {
    const kept = record.parkedMessage;
    if (kept === undefined)
      return {
        reason: 'NO_MESSAGE',
        detail: 'the record keeps no message (parked before messages were kept); redrive it from the archive',
      };
    if (kept.truncated)
      return {
        reason: 'MESSAGE_TRUNCATED',
        detail: 'the message was too large to keep whole; its OrderParked event in the archive has it',
      };
    const parsed = parseOrderMessage({
      body: kept.body,
      attributes: {
        [MESSAGE_ATTRIBUTES.idempotencyKey]: record.key,
        [MESSAGE_ATTRIBUTES.correlationId]: record.correlationId ?? record.key,
      },
      messageId: `replay-${record.key}`,
    });
    if (!parsed.ok)
      return {
        reason: 'MESSAGE_UNREADABLE',
        detail: `the kept message is not an order: ${parsed.violations.map((v) => v.code).join(', ')}`,
      };
    return { envelope: parsed.envelope };
  }

  /** Sends the order back; if the queue refuses it, the record is parked again so that nothing waits for a message that never comes. */
  private async sendBack(envelope: OrderEnvelope, record: IdempotencyRecord, replay: number): Promise<boolean> {
    const attributes = { ...orderMessageAttributes(envelope), [MESSAGE_ATTRIBUTES.replay]: String(replay) };
    let sent = false;
    try {
      const result = await this.queue.send([{ id: 'replay', body: record.parkedMessage?.body ?? '', attributes }]);
      sent = result.sent.length === 1;
    } catch (error) {
      this.logger.warn('replayed order not sent', { idempotencyKey: record.key, error: String(error) });
    }
    if (!sent) {
      try {
        await this.store.park(record.key, record.lastError ?? { category: 'UNKNOWN', code: 'REPLAY.SEND_FAILED' }, this.clock.now());
      } catch (error) {
        // RETRY with no message: the next replay of this key is refused as NOT_PARKED until the record is parked or expires.
        this.logger.error('replayed order neither sent nor parked again', { idempotencyKey: record.key, error: String(error) });
      }
    }
    return sent;
  }

  private contextOf(record: IdempotencyRecord): EventContext {
    return {
      source: this.config.eventSource,
      idempotencyKey: record.key,
      orderId: record.orderId ?? record.outcome?.orderId?.toString() ?? 'unknown',
      correlationId: record.correlationId ?? record.key,
      now: this.clock.now(),
    };
  }
}
