import { inject, injectable } from 'inversify';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { decideStrandedReservation } from '../../domain/idempotency-reservation.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import { SCHEMA_VERSION } from '../orders/order-message.js';
import type { Clock } from '../ports/clock.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { OutboundMessage } from '../ports/queue-message.js';
import { TOKENS } from '../tokens.js';

export interface StrandedReservationsReport {
  /** Reservations past their lease that no worker had claimed. */
  readonly found: number;
  /** Their message sent (the edge crashed before sending it, or its release after a failed send failed). */
  readonly sent: number;
  /** Released: no message kept to send (too large for the record). */
  readonly released: number;
  /** Left for the next run: the send, the mark or the release did not go through. */
  readonly failed: number;
}

/** SendMessageBatch's limit. */
const BATCH = 10;

/**
 * The scheduled sweep behind "no reservation without its message": finds, through the sparse
 * awaiting-send index, reservations whose lease ran out with no worker's claim, and sends the message
 * each keeps (a second copy, if the first did leave, is harmless: one claim wins) then marks it sent,
 * or releases it when it keeps none, so the client's retry is accepted. Runs on the redrive's schedule,
 * so a stranded reservation is resolved within one schedule period after its lease.
 */
@injectable()
export class ResolveStrandedReservations {
  constructor(
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(): Promise<StrandedReservationsReport> {
    const now = this.clock.now();
    const found = await this.store.findAwaitingSend(now - this.config.acceptLeaseMs, this.config.redriveMessageBudget, now);
    const toSend: { record: IdempotencyRecord; body: string }[] = [];
    const toRelease: IdempotencyRecord[] = [];
    for (const record of found) {
      const action = decideStrandedReservation(record, now);
      if (action.kind === 'SEND') toSend.push({ record, body: action.body });
      else if (action.kind === 'RELEASE') toRelease.push(record);
    }
    let sent = 0;
    let failed = 0;
    for (let start = 0; start < toSend.length; start += BATCH) {
      const round = await this.send(toSend.slice(start, start + BATCH));
      sent += round.sent;
      failed += round.failed;
    }
    let released = 0;
    for (const record of toRelease) {
      try {
        if (await this.store.releaseReservation(record, this.clock.now())) released++;
      } catch (error) {
        failed++;
        this.logger.warn('stranded reservation not released; the next run retries', { orderId: record.orderId, error: String(error) });
      }
    }
    const report: StrandedReservationsReport = { found: found.length, sent, released, failed };
    this.metrics.add('StrandedReservationsSent', sent, 'Count');
    this.metrics.add('StrandedReservationsReleased', released, 'Count');
    if (found.length > 0) this.logger.info('stranded reservations resolved', { ...report });
    return report;
  }

  /** Sends one batch; a reservation is marked sent only once the queue accepted its message. */
  private async send(items: readonly { record: IdempotencyRecord; body: string }[]): Promise<{ sent: number; failed: number }> {
    const messages: OutboundMessage[] = items.map(({ record, body }, index) => ({
      id: `s${index}`,
      body,
      attributes: attributesOf(record),
    }));
    let accepted: Set<string>;
    try {
      const result = await this.queue.send(messages);
      accepted = new Set(result.sent.map((entry) => entry.id));
      for (const entry of result.failed)
        this.logger.warn('stranded reservation not sent; the next run retries', { code: entry.code, category: entry.category });
    } catch (error) {
      this.logger.warn('stranded reservations not sent; the next run retries', { error: String(error) });
      return { sent: 0, failed: items.length };
    }
    let sent = 0;
    for (const [index, { record }] of items.entries()) {
      if (!accepted.has(`s${index}`)) continue;
      sent++;
      try {
        await this.store.markReservationSent(record, this.config.acceptLeaseMs, this.clock.now());
      } catch (error) {
        // Sent, not marked: the next run sends it once more, which the claim answers as a duplicate.
        this.logger.warn('stranded reservation sent but not marked', { orderId: record.orderId, error: String(error) });
      }
    }
    return { sent, failed: items.length - sent };
  }
}

/** The attributes the edge sends an order with (`orderMessageAttributes`), from the reservation. */
function attributesOf(record: IdempotencyRecord): Record<string, string> {
  return {
    ...(record.orderId === undefined ? {} : { [MESSAGE_ATTRIBUTES.orderId]: record.orderId }),
    [MESSAGE_ATTRIBUTES.idempotencyKey]: record.key,
    ...(record.correlationId === undefined ? {} : { [MESSAGE_ATTRIBUTES.correlationId]: record.correlationId }),
    [MESSAGE_ATTRIBUTES.schemaVersion]: SCHEMA_VERSION,
  };
}
