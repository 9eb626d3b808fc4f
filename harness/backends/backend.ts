import type { ContainerModule } from 'inversify';
import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { pendingEntries } from '../../domain/outbox.js';
import type { PolledQueue } from '../emulation/event-sources/polled-queue.js';
import type { TableStream } from '../emulation/streams/table-stream.js';

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export interface QueueDepths {
  readonly orders: QueueDepth;
  readonly deadLetters: QueueDepth;
  /** The orchestrated topology's own queue; present only when it exists (topology `both`). */
  readonly orchestrated?: QueueDepth;
  /** The outbox pipe's DLQ: batches the pipe gave up on, until the redrive's sweep re-delivers them. */
  readonly outboxDeadLetters?: QueueDepth;
}

/** Nothing visible, in flight or delayed. */
export function isEmptyQueue(depth: QueueDepth): boolean {
  return depth.visible + depth.inFlight + depth.delayed === 0;
}

/** The queues an event source polls (the order queue, and the orchestrated queue when it exists) are empty: what a stop drains. */
export function sourceQueuesEmpty(depths: QueueDepths): boolean {
  return isEmptyQueue(depths.orders) && (depths.orchestrated === undefined || isEmptyQueue(depths.orchestrated));
}

/** Every queue is empty, the DLQs included. */
export function allQueuesEmpty(depths: QueueDepths): boolean {
  return (
    sourceQueuesEmpty(depths) &&
    isEmptyQueue(depths.deadLetters) &&
    (depths.outboxDeadLetters === undefined || isEmptyQueue(depths.outboxDeadLetters))
  );
}

/**
 * What the harness runs on: the adapters the container binds, the queues the event sources poll, and
 * views for the status page that bypass faults and breakers (they observe, they are not the pipeline).
 */
export interface Backend {
  readonly kind: 'memory' | 'aws';
  readonly config: PipelineConfig;
  readonly adapters: ContainerModule;
  readonly orderQueue: PolledQueue;
  /** Topology `both`: the queue the consume pipe polls, which the publishers send their share of orders to. */
  readonly orchestratedQueue: PolledQueue | undefined;
  /** After `--bootstrap`: the variables that name what it created, so a restart without it finds them. */
  readonly bootstrapped?: Readonly<Record<string, string>>;
  depths(): Promise<QueueDepths>;
  /** The live record of `key`, read without faults. */
  record(key: string, now: number): Promise<IdempotencyRecord | undefined>;
  /** Every live record (a scan: bounded on aws), for the status page and the demo's checks. */
  records(now: number): Promise<readonly IdempotencyRecord[]>;
  /**
   * How far the live records are from settled, without reading them whole (on aws a scan that projects
   * three attributes: a whole-table scan of full items took moto 20–40 s at 1 000 orders, under the lock
   * every DynamoDB call waits on).
   */
  progress(now: number): Promise<RecordProgress>;
  /** The idempotency table's change stream, read from now on (the outbox pipe's source). */
  openTableStream(): Promise<TableStream>;
  close(): Promise<void>;
}

/** Live records, those not yet settled (ACCEPTED, INFLIGHT, RETRY), and those still owing events. */
export interface RecordProgress {
  readonly records: number;
  readonly unsettled: number;
  readonly owingEvents: number;
}

const UNSETTLED: ReadonlySet<string> = new Set(['ACCEPTED', 'INFLIGHT', 'RETRY']);

/** The progress of records read whole (the memory backend). */
export function progressOf(records: readonly IdempotencyRecord[]): RecordProgress {
  return {
    records: records.length,
    unsettled: records.filter((record) => UNSETTLED.has(record.status)).length,
    owingEvents: records.filter((record) => pendingEntries(record.outbox).length > 0).length,
  };
}

export function isUnsettled(status: string): boolean {
  return UNSETTLED.has(status);
}
