import type { FleetFlowControl } from '../pipeline/fleet-flow-control.js';
import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { RedeliverReport } from '../../application/use-cases/redeliver-outbox.js';
import type { RedriveReport } from '../../application/use-cases/redrive-dead-letters.js';
import type { Backend, QueueDepths } from '../backends/backend.js';
import type { CommitLedger } from '../observation/commit-ledger.js';
import type { ConsumptionLog } from '../observation/consumption-log.js';
import type { EventLog } from '../observation/event-log.js';
import type { FaultInjection } from '../faults/faults.js';
import type { HarnessFunctions } from '../pipeline/functions.js';
import type { HarnessOptions } from '../cli/options.js';
import type { MetricsSnapshot } from '../observation/metrics-snapshot.js';
import type { OutboxPipe } from '../emulation/streams/outbox-pipe.js';
import type { ReplayAnswer } from '../pipeline/operator-actions.js';
import type { SqsEventSource } from '../emulation/event-sources/sqs-event-source.js';

/* What startHarness (start-harness.ts) takes and gives back. */

export interface HarnessIo {
  /** Where log lines go; stdout by default. */
  readonly write?: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Colour in pretty logs (a terminal). */
  readonly colour?: boolean;
}

export interface Harness {
  readonly url: string;
  readonly port: number;
  readonly options: HarnessOptions;
  readonly config: PipelineConfig;
  readonly backend: Backend;
  readonly faults: FaultInjection;
  readonly events: EventLog;
  readonly commits: CommitLedger;
  /** Which consumer acknowledged each order's messages (GET /orders/{key} shows it). */
  readonly consumption: ConsumptionLog;
  /** On the order queue: the worker's, or the consume pipe's in topology `orchestrated`. */
  readonly eventSource: SqsEventSource;
  /** Topology `both`: the consume pipe's, on the orchestrated queue. */
  readonly orchestratedEventSource: SqsEventSource | undefined;
  /** Fleet flow control (`--fleet-pause`): undefined when off. */
  readonly fleetFlow: FleetFlowControl | undefined;
  /** The pipeline's functions, each in execution environments of its own (own breakers, as deployed). */
  readonly functions: HarnessFunctions;
  /** The pipe from the table's stream to the outbox relay (the `outbox-relay` function). */
  readonly outbox: OutboxPipe;
  snapshot(): Promise<MetricsSnapshot>;
  redrive(): Promise<RedriveReport>;
  /** The redrive function's outbox redelivery (`force`: records younger than the sweep age too). */
  redeliverOutbox(force?: boolean): Promise<RedeliverReport>;
  /** The redrive function's replay input (POST /admin/replay). */
  replay(input: unknown): Promise<ReplayAnswer>;
  /** Nothing waiting, delayed or in flight on any queue, no batch being worked, and nothing on the table's stream the outbox pipe has yet to read. */
  quiet(): Promise<boolean>;
  /**
   * Stops in order, so that nothing accepted is dropped unnoticed: the server first (requests in progress
   * finish, new ones are refused), then the event sources keep working until the order queue (and the
   * orchestrated queue in topology `both`) is empty or `drainTimeoutMs` has passed, then the schedule and
   * the event sources stop (batches in flight finish). What is left is logged, and returned. A second
   * call returns the same promise.
   */
  stop(): Promise<StopSummary>;
}

export interface StopSummary {
  /**
   * The queues the event sources poll (the order queue, and the orchestrated queue in topology `both`)
   * ended with nothing visible, in flight or delayed. The DLQ is not drained by a stop: no event source polls it.
   */
  readonly drained: boolean;
  /** From the start of the stop to the event source's end. */
  readonly stoppedAfterMs: number;
  /** On each queue once the event source stopped (SQS's approximate counts on aws); undefined when they could not be read. */
  readonly remaining: QueueDepths | undefined;
}
