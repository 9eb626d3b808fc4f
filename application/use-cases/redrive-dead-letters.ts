import { inject, injectable } from 'inversify';
import { nextDelaySeconds, type BackoffPolicy } from '../../domain/backoff.js';
import { analyseDeadLetter, MESSAGE_ATTRIBUTES, type AnalysisOptions, type DeadLetterVerdict } from '../../domain/dead-letter-analysis.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { backoffPolicyOf, type PipelineConfig } from '../config/pipeline-config.js';
import { payloadHashOf } from '../orders/order-message.js';
import { parkedMessageOf, toOutboxEntry } from '../events/outbox-events.js';
import { orderParkedEvent } from '../events/pipeline-events.js';
import type { PipelineEvent } from '../ports/event-bus.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { OutboundMessage, QueueMessage } from '../ports/queue-message.js';
import type { Random } from '../ports/random.js';
import { TOKENS } from '../tokens.js';
import { PublishOrderEvents } from './publish-order-events.js';

export interface RedriveReport {
  readonly received: number;
  readonly redriven: number;
  readonly parked: number;
  /** DLQ copies of orders that have since succeeded, or that a replay superseded: deleted, nothing else to do. */
  readonly duplicatesRemoved: number;
  /** Left in the DLQ for the next run (a send, event or delete did not go through). */
  readonly leftInQueue: number;
  readonly parkedByCategory: Readonly<Partial<Record<ErrorCategory, number>>>;
  readonly stoppedBy: 'empty' | 'message-budget' | 'time-budget';
}

/** While the redrive works a message, the DLQ hides it for this long from other readers. */
const DLQ_VISIBILITY_SECONDS = 60;
const STRIPPED_ON_REDRIVE = [MESSAGE_ATTRIBUTES.errorCategory, MESSAGE_ATTRIBUTES.errorCode, MESSAGE_ATTRIBUTES.attempts];

interface Analysed {
  readonly message: QueueMessage;
  readonly verdict: DeadLetterVerdict;
  readonly key: string | undefined;
  /** Whether the record under `key` is this message's (same payload), and so may be parked with it. */
  readonly ownsRecord: boolean;
  /** The error code on the idempotency record, when it has one. */
  readonly recordedCode: string | undefined;
}

/**
 * The intelligent redrive: reads the DLQ within a message and time budget, decides per message (the
 * worker's category attribute, then the idempotency record, then the body, then the receive count),
 * and either sends it back with backoff as DelaySeconds and its redrive attempt in an attribute, or
 * parks it: the record says PARKED with the category, an OrderParked event carries the message. A DLQ
 * message is deleted only after its new home accepted it.
 */
@injectable()
export class RedriveDeadLetters {
  private readonly backoff: BackoffPolicy;
  private readonly analysis: AnalysisOptions;

  constructor(
    @inject(TOKENS.DeadLetterQueue) private readonly dlq: DeadLetterQueue,
    @inject(TOKENS.OrderQueue) private readonly queue: OrderQueue,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(PublishOrderEvents) private readonly events: PublishOrderEvents,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Random) private readonly random: Random,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {
    this.backoff = backoffPolicyOf(config);
    this.analysis = { permanenceReceiveThreshold: config.permanenceReceiveThreshold, maxRedrives: config.redriveMaxAttempts };
  }

  async execute(): Promise<RedriveReport> {
    const deadline = this.clock.now() + this.config.redriveTimeBudgetMs;
    const totals = { received: 0, redriven: 0, parked: 0, duplicatesRemoved: 0, leftInQueue: 0 };
    const parkedByCategory: Partial<Record<ErrorCategory, number>> = {};
    let stoppedBy: RedriveReport['stoppedBy'] = 'empty';
    for (;;) {
      if (totals.received >= this.config.redriveMessageBudget) {
        stoppedBy = 'message-budget';
        break;
      }
      if (this.clock.now() >= deadline) {
        stoppedBy = 'time-budget';
        break;
      }
      const messages = await this.dlq.receive(Math.min(10, this.config.redriveMessageBudget - totals.received), DLQ_VISIBILITY_SECONDS);
      if (messages.length === 0) break;
      totals.received += messages.length;
      const round = await this.handle(messages);
      totals.redriven += round.redriven;
      totals.parked += round.parked.length;
      totals.duplicatesRemoved += round.duplicates;
      totals.leftInQueue += round.left;
      for (const category of round.parked) parkedByCategory[category] = (parkedByCategory[category] ?? 0) + 1;
    }
    this.metrics.add('MessagesRedriven', totals.redriven, 'Count');
    for (const [category, count] of Object.entries(parkedByCategory)) this.metrics.add('MessagesParked', count, 'Count', { category });
    const report: RedriveReport = { ...totals, parkedByCategory, stoppedBy };
    this.logger.info('redrive finished', { ...report });
    return report;
  }

  private async handle(
    messages: readonly QueueMessage[],
  ): Promise<{ redriven: number; parked: ErrorCategory[]; duplicates: number; left: number }> {
    const now = this.clock.now();
    const analysed: Analysed[] = [];
    const deletable: string[] = [];
    let duplicates = 0;
    for (const message of messages) {
      const key = message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey];
      const lookup = key === undefined ? { known: false } : await this.recordOf(key, now);
      const found = lookup.record;
      // Under a reused key the record is another order's: it says nothing about this message and is not touched.
      const record = found !== undefined && found.payloadHash === payloadHashOf(message.body) ? found : undefined;
      // SUCCEEDED: done. A copy older than the record's last replay: the replayed copy carries the order now.
      if (record?.status === 'SUCCEEDED' || supersededByReplay(message, record)) {
        deletable.push(message.receiptHandle);
        duplicates++;
        continue;
      }
      const analysis = analyseDeadLetter(
        {
          attributes: message.attributes,
          body: message.body,
          receiveCount: message.receiveCount,
          ...(record?.lastError === undefined ? {} : { recordedCategory: record.lastError.category }),
          // Reserved at the edge (ACCEPTED) or unknown: no worker ever claimed it.
          neverClaimed: lookup.known && (found === undefined || found.status === 'ACCEPTED'),
        },
        this.analysis,
      );
      analysed.push({
        message,
        verdict: record?.status === 'PARKED' ? parkedForGood(analysis) : analysis,
        key,
        ownsRecord: record !== undefined,
        recordedCode: record?.lastError?.code,
      });
    }
    const redriven = await this.redrive(analysed.filter((a) => a.verdict.action === 'REDRIVE'));
    const parked = await this.park(
      analysed.filter((a) => a.verdict.action === 'PARK'),
      now,
    );
    const undeleted = await this.dlq.delete([...deletable, ...redriven, ...parked.map((p) => p.message.receiptHandle)]);
    const left = messages.length - (deletable.length + redriven.length + parked.length) + undeleted.length;
    return { redriven: redriven.length, parked: parked.map((p) => p.verdict.category), duplicates, left };
  }

  /** Sends back with backoff; returns the receipt handles of the messages the order queue accepted. */
  private async redrive(items: readonly Analysed[]): Promise<string[]> {
    if (items.length === 0) return [];
    const outbound: OutboundMessage[] = items.map((item, index) => {
      const previous = previousDelayOf(item.message.attributes);
      // A breaker-held message spent no attempt: it waits as a first redrive would.
      const delaySeconds = nextDelaySeconds(this.backoff, Math.max(1, item.verdict.redriveAttempt), previous, () => this.random.next());
      return {
        id: `r${index}`,
        body: item.message.body,
        attributes: {
          ...withoutFailureAttributes(item.message.attributes),
          [MESSAGE_ATTRIBUTES.redriveAttempt]: String(item.verdict.redriveAttempt),
          [MESSAGE_ATTRIBUTES.redriveDelaySeconds]: String(delaySeconds),
          ...(item.verdict.heldRedrives === undefined ? {} : { [MESSAGE_ATTRIBUTES.heldRedrives]: String(item.verdict.heldRedrives) }),
        },
        delaySeconds,
      };
    });
    const result = await this.queue.send(outbound);
    for (const failed of result.failed)
      this.logger.warn('redrive send failed; message stays in the DLQ', { code: failed.code, category: failed.category });
    const sentIds = new Set(result.sent.map((s) => s.id));
    return items.filter((_, index) => sentIds.has(`r${index}`)).map((item) => item.message.receiptHandle);
  }

  /**
   * Parks for good. A message with a record of its own commits the park, its OrderParked event (the
   * outbox) and the message itself to the record in one write; the relay announces it. A message without
   * one (no key, a reused key) is announced directly. Returns the items parked: their DLQ copies go.
   */
  private async park(items: readonly Analysed[], now: number): Promise<Analysed[]> {
    if (items.length === 0) return [];
    const committed: Analysed[] = [];
    const direct: { item: Analysed; event: PipelineEvent }[] = [];
    for (const item of items) {
      // The worker's own code says what went wrong; REDRIVE.<source> only when nothing better is known.
      const code =
        item.message.attributes[MESSAGE_ATTRIBUTES.errorCode] ?? item.recordedCode ?? `REDRIVE.${item.verdict.source.toUpperCase()}`;
      const failure = { category: item.verdict.category, code };
      const event = orderParkedEvent(
        {
          source: this.config.eventSource,
          idempotencyKey: item.key ?? `dlq-${item.message.messageId}`,
          orderId: item.message.attributes[MESSAGE_ATTRIBUTES.orderId] ?? 'unknown',
          correlationId: item.message.attributes[MESSAGE_ATTRIBUTES.correlationId] ?? item.message.messageId,
          now,
        },
        { category: item.verdict.category, reason: item.verdict.reason, body: item.message.body, messageId: item.message.messageId },
      );
      if (item.key !== undefined && item.ownsRecord && (await this.parkRecord(item.key, failure, event, item.message.body, now)))
        committed.push(item);
      else direct.push({ item, event });
    }
    if (direct.length === 0) return committed;
    let delivered: Set<string>;
    try {
      const result = await this.events.execute(direct.map(({ event }) => event));
      delivered = new Set(result.published.map((event) => event.eventId));
    } catch (error) {
      this.logger.warn('parked events not delivered; messages stay in the DLQ', { error: String(error) });
      return committed;
    }
    return [...committed, ...direct.filter(({ event }) => delivered.has(event.eventId)).map(({ item }) => item)];
  }

  /** Whether the record is now PARKED with this event in its outbox. */
  private async parkRecord(
    key: string,
    failure: { category: ErrorCategory; code: string },
    event: PipelineEvent,
    body: string,
    now: number,
  ): Promise<boolean> {
    try {
      const record = await this.store.park(key, failure, now, { events: [toOutboxEntry(event)], parkedMessage: parkedMessageOf(body) });
      return record?.status === 'PARKED' && (record.outbox ?? []).some((entry) => entry.eventId === event.eventId);
    } catch (error) {
      this.logger.warn('could not mark the record PARKED; announcing the message directly', { error: String(error) });
      return false;
    }
  }

  /** The record under `key`; `known` is false when the lookup failed, so a missing record proves nothing. */
  private async recordOf(key: string, now: number): Promise<{ readonly record?: IdempotencyRecord; readonly known: boolean }> {
    try {
      const record = await this.store.get(key, now);
      return record === undefined ? { known: true } : { record, known: true };
    } catch (error) {
      this.logger.warn('idempotency lookup failed during redrive; analysing without the record', { error: String(error) });
      return { known: false };
    }
  }
}

/**
 * A PARKED record means the worker gave up on the order (its attempts ran out, or its key was reused):
 * a copy sent back would only be acknowledged and dropped by the worker, unannounced. So it is parked.
 */
function parkedForGood(verdict: DeadLetterVerdict): DeadLetterVerdict {
  if (verdict.action === 'PARK') return verdict;
  return { ...verdict, action: 'PARK', reason: `the idempotency record is PARKED: the worker gave up on ${verdict.category}` };
}

function supersededByReplay(message: QueueMessage, record: IdempotencyRecord | undefined): boolean {
  const replays = record?.replays ?? 0;
  return replays > 0 && Number(message.attributes[MESSAGE_ATTRIBUTES.replay] ?? 0) < replays;
}

/** The delay the previous redrive chose, when the message carries a sound one. */
function previousDelayOf(attributes: Readonly<Record<string, string>>): number | undefined {
  const raw = attributes[MESSAGE_ATTRIBUTES.redriveDelaySeconds];
  if (raw === undefined || !/^\d{1,3}$/.test(raw)) return undefined;
  return Number(raw);
}

function withoutFailureAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !(STRIPPED_ON_REDRIVE as readonly string[]).includes(name)));
}
