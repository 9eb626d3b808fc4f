import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import type { RedeliverReport } from '../../application/use-cases/redeliver-outbox.js';
import type { RedriveReport } from '../../application/use-cases/redrive-dead-letters.js';
import { pendingEntries } from '../../domain/outbox.js';
import type { OutboxPipeStats } from '../emulation/streams/outbox-pipe.js';
import type { HistorySample } from './metrics-history.js';
import type { ServiceName } from '../../application/config/breaker-defaults.js';
import { breakerSummaries, functionBreakers, type BreakerSource, type BreakerSummary, type FunctionBreakers } from './breaker-views.js';
import { ERROR_CATEGORIES, type ErrorCategory } from '../../domain/error-category.js';
import type { IdempotencyRecord, StoredStatus } from '../../domain/idempotency.js';
import type { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import type { QueueDepth, QueueDepths } from '../backends/backend.js';
import type { CommitLedger } from './commit-ledger.js';
import type { EventLog } from './event-log.js';
import type { FaultCounts, FaultSettings } from '../faults/faults.js';
import type { Topology } from '../cli/options.js';
import type { EventSourceStats } from '../emulation/event-sources/sqs-event-source.js';

export type { BreakerSummary, BreakerView, FunctionBreakers } from './breaker-views.js';

export interface RecentEvent {
  readonly eventId: string;
  readonly detailType: string;
  readonly orderId: string;
  readonly idempotencyKey: string;
  readonly category?: string;
  readonly time: string;
}

export interface RedriveView {
  readonly runs: number;
  readonly last?: RedriveReport & { readonly at: string };
  readonly lastError?: string;
  /** The outbox redelivery that runs on the same schedule. */
  readonly lastRedelivery?: RedeliverReport;
}

/** Everything the status page shows; GET /metrics answers it as JSON. */
export interface MetricsSnapshot {
  readonly generatedAt: string;
  readonly backend: 'memory' | 'aws';
  readonly topology: Topology;
  /** Topology `both`: the share (0–100) of orders the publishers send to the orchestrated queue. */
  readonly orchestratedSharePercent?: number;
  readonly seed: number;
  readonly queue: QueueDepth & { readonly depth: number };
  /** The orchestrated topology's own queue, when it exists (topology `both`). */
  readonly orchestratedQueue?: QueueDepth & { readonly depth: number };
  readonly deadLetterQueue: QueueDepth & { readonly depth: number };
  readonly records: { readonly total: number; readonly byStatus: Readonly<Record<StoredStatus, number>> };
  /** Records PARKED: failures that will not be retried, each with its category. */
  readonly parked: number;
  readonly parkedByCategory: Readonly<Record<ErrorCategory, number>>;
  /** Per service, the worst breaker among the environments of every function that uses it, and which are not CLOSED. */
  readonly breakers: Readonly<Record<ServiceName, BreakerSummary>>;
  /** Every function's execution environments and each one's breakers: each has its own, as deployed. */
  readonly breakersByFunction: Readonly<Record<string, FunctionBreakers>>;
  /** Times each breaker opened during the run. */
  readonly breakerOpenings: Readonly<Record<ServiceName, number>>;
  /**
   * The worker's claims of a key (ClaimIdempotency): a hit found a record that stops the work (succeeded,
   * in progress, parked, another payload), a miss proceeded. A duplicate POST the edge answers from its
   * reservation never reaches a claim: it is counted in `counters.duplicatesSuppressed` (with the worker's
   * claims that found the order already SUCCEEDED), not here.
   */
  readonly idempotency: {
    readonly workerClaimHits: number;
    readonly workerClaimMisses: number;
    readonly workerClaimHitRate: number | null;
  };
  readonly failuresByCategory: Readonly<Record<ErrorCategory, number>>;
  /**
   * `reservationReleasesFailed`: sends that failed and whose reservation could not be released either (the
   * client's retry is answered 409 until the sweep sends or releases it); `strandedReservationsSent` /
   * `strandedReservationsReleased`: what the scheduled sweep did with reservations whose message never left.
   */
  readonly counters: Readonly<
    Record<
      | 'ordersAccepted'
      | 'ordersRejected'
      | 'ordersProcessed'
      | 'duplicatesSuppressed'
      | 'eventsPublished'
      | 'messagesRedriven'
      | 'messagesParked'
      | 'reservationReleasesFailed'
      | 'strandedReservationsSent'
      | 'strandedReservationsReleased',
      number
    >
  >;
  readonly events: { readonly total: number; readonly byType: Readonly<Record<string, number>>; readonly recent: readonly RecentEvent[] };
  /** The event source on the order queue: the worker's, or the consume pipe's in topology `orchestrated`. */
  readonly eventSource: EventSourceStats;
  /** Topology `both`: the consume pipe's event source, on the orchestrated queue. */
  readonly orchestratedEventSource?: EventSourceStats;
  readonly faults: FaultSettings & FaultCounts;
  readonly commits: { readonly total: number; readonly committedTwice: readonly string[] };
  readonly redrive: RedriveView;
  readonly outbox: OutboxView;
  /** The status page's charts: samples on the harness' history schedule, oldest first, the last minutes only. */
  readonly history: readonly HistorySample[];
}

/** The transactional outbox: what records still owe, how far the pipe lags, what it gave up on. */
export interface OutboxView extends OutboxPipeStats {
  /** Records owing events (at least one undelivered): 0 once everything committed is delivered. */
  readonly pendingRecords: number;
  readonly pendingEvents: number;
  readonly deliveredEvents: number;
  /** Batches waiting in the pipe's DLQ for the redrive's sweep. */
  readonly deadLetterQueue: QueueDepth & { readonly depth: number };
}

export interface SnapshotSources {
  readonly backend: 'memory' | 'aws';
  readonly topology: Topology;
  /** Given in topology `both` only. */
  readonly orchestratedSharePercent: number | undefined;
  readonly seed: number;
  readonly now: number;
  readonly depths: QueueDepths;
  readonly records: readonly IdempotencyRecord[];
  /** The functions' fleets, whose environments hold the breakers. */
  readonly functions: readonly BreakerSource[];
  /** Configured as every environment's breakers are: stands in for a service no environment uses yet. */
  readonly referenceBreakers: CircuitBreakers;
  readonly metrics: RecordingMetrics;
  readonly events: EventLog;
  readonly eventSource: EventSourceStats;
  readonly orchestratedEventSource: EventSourceStats | undefined;
  readonly faults: FaultSettings & FaultCounts;
  readonly commits: CommitLedger;
  readonly redrive: RedriveView;
  readonly outbox: OutboxPipeStats;
  readonly history: readonly HistorySample[];
}

const RECENT_EVENTS = 20;

export function buildSnapshot(sources: SnapshotSources): MetricsSnapshot {
  const byStatus: Record<StoredStatus, number> = { ACCEPTED: 0, INFLIGHT: 0, RETRY: 0, SUCCEEDED: 0, PARKED: 0 };
  const parkedByCategory = zeroPerCategory();
  for (const record of sources.records) {
    byStatus[record.status] += 1;
    if (record.status === 'PARKED') parkedByCategory[record.lastError?.category ?? 'UNKNOWN'] += 1;
  }
  const metric = (name: string, dimensions: Readonly<Record<string, string>> = {}): number => sources.metrics.total(name, dimensions);
  const hits = metric('IdempotencyHit');
  const misses = metric('IdempotencyMiss');
  const failuresByCategory = zeroPerCategory();
  for (const category of ERROR_CATEGORIES) failuresByCategory[category] = metric('FailuresByCategory', { category });
  const events = sources.events.all();
  const byFunction = functionBreakers(sources.functions);
  return {
    generatedAt: new Date(sources.now).toISOString(),
    backend: sources.backend,
    topology: sources.topology,
    ...(sources.orchestratedSharePercent === undefined ? {} : { orchestratedSharePercent: sources.orchestratedSharePercent }),
    seed: sources.seed,
    queue: withDepth(sources.depths.orders),
    ...(sources.depths.orchestrated === undefined ? {} : { orchestratedQueue: withDepth(sources.depths.orchestrated) }),
    deadLetterQueue: withDepth(sources.depths.deadLetters),
    records: { total: sources.records.length, byStatus },
    parked: byStatus.PARKED,
    parkedByCategory,
    breakers: breakerSummaries(byFunction, sources.referenceBreakers),
    breakersByFunction: byFunction,
    breakerOpenings: {
      dynamodb: metric('CircuitBreakerOpened', { service: 'dynamodb' }),
      sqs: metric('CircuitBreakerOpened', { service: 'sqs' }),
      eventbridge: metric('CircuitBreakerOpened', { service: 'eventbridge' }),
    },
    idempotency: {
      workerClaimHits: hits,
      workerClaimMisses: misses,
      workerClaimHitRate: hits + misses === 0 ? null : hits / (hits + misses),
    },
    failuresByCategory,
    counters: {
      ordersAccepted: metric('OrdersAccepted'),
      ordersRejected: metric('OrdersRejected'),
      ordersProcessed: metric('OrdersProcessed'),
      duplicatesSuppressed: metric('DuplicatesSuppressed'),
      reservationReleasesFailed: metric('ReservationReleaseFailed'),
      strandedReservationsSent: metric('StrandedReservationsSent'),
      strandedReservationsReleased: metric('StrandedReservationsReleased'),
      eventsPublished: metric('EventsPublished'),
      messagesRedriven: metric('MessagesRedriven'),
      messagesParked: metric('MessagesParked'),
    },
    events: {
      total: events.length,
      byType: sources.events.countsByType(),
      recent: events.slice(-RECENT_EVENTS).reverse().map(recentEvent),
    },
    eventSource: sources.eventSource,
    ...(sources.orchestratedEventSource === undefined ? {} : { orchestratedEventSource: sources.orchestratedEventSource }),
    faults: sources.faults,
    commits: { total: sources.commits.totalCommits(), committedTwice: sources.commits.committedTwice() },
    redrive: sources.redrive,
    outbox: outboxView(sources),
    history: sources.history,
  };
}

function outboxView(sources: SnapshotSources): OutboxView {
  let pendingRecords = 0;
  let pendingEvents = 0;
  let deliveredEvents = 0;
  for (const record of sources.records) {
    const pending = pendingEntries(record.outbox).length;
    if (pending > 0) pendingRecords += 1;
    pendingEvents += pending;
    deliveredEvents += (record.outbox ?? []).length - pending;
  }
  const empty = { visible: 0, inFlight: 0, delayed: 0 };
  return {
    ...sources.outbox,
    pendingRecords,
    pendingEvents,
    deliveredEvents,
    deadLetterQueue: withDepth(sources.depths.outboxDeadLetters ?? empty),
  };
}

function recentEvent(event: PipelineEvent): RecentEvent {
  const text = (name: string): string => (typeof event.detail[name] === 'string' ? event.detail[name] : '');
  const category = text('category');
  return {
    eventId: event.eventId,
    detailType: event.detailType,
    orderId: text('orderId'),
    idempotencyKey: text('idempotencyKey'),
    ...(category === '' ? {} : { category }),
    time: new Date(event.time).toISOString(),
  };
}

function withDepth(depth: QueueDepth): QueueDepth & { depth: number } {
  return { ...depth, depth: depth.visible + depth.inFlight + depth.delayed };
}

function zeroPerCategory(): Record<ErrorCategory, number> {
  return { VALIDATION: 0, TRANSIENT: 0, PERMANENT: 0, TIMEOUT: 0, PROCESSING: 0, UNKNOWN: 0 };
}
