/**
 * What an order uses, per order, and what that costs per million orders at the list prices of
 * bench/prices.ts; and what the orchestrated topology adds to the composed one's figures, counted from its
 * workflows (application/workflows/). Pure: bench/cost.ts measures the usage.
 */
import { PRICES } from './prices.js';
import { round } from './stats.js';

export const ROWS = [
  '1-line order',
  '100-line order',
  'duplicate POST',
  'duplicate delivery',
  'transient failure, then success',
  'parked order',
] as const;
export type Row = (typeof ROWS)[number];

/** What one order costs in requests and capacity, per order (averaged over the scenario's orders). */
export interface OrderUsage {
  readonly httpRequests: number;
  readonly lambdaInvocations: number;
  readonly sqsRequests: number;
  readonly events: number;
  readonly putEventsCalls: number;
  readonly pipeRequests: number;
  readonly streamReads: number;
  readonly expressExecutions: number;
  readonly stateTransitions: number;
  readonly dynamodbCalls: number;
  readonly dynamodbWriteUnits: number;
  readonly dynamodbIndexWriteUnits: number;
  readonly dynamodbReadUnits: number;
  /** The record's size after each of one order's writes, bytes, with that write's units (the scenario's first order). */
  readonly recordBytes: readonly number[];
  readonly recordWriteUnits: readonly number[];
}

export const NO_USAGE: OrderUsage = {
  httpRequests: 0,
  lambdaInvocations: 0,
  sqsRequests: 0,
  events: 0,
  putEventsCalls: 0,
  pipeRequests: 0,
  streamReads: 0,
  expressExecutions: 0,
  stateTransitions: 0,
  dynamodbCalls: 0,
  dynamodbWriteUnits: 0,
  dynamodbIndexWriteUnits: 0,
  dynamodbReadUnits: 0,
  recordBytes: [],
  recordWriteUnits: [],
};

/** Dollars per million orders of a usage, by line, with the total. */
export function priceUsage(usage: OrderUsage): Record<string, number> {
  const lines = {
    httpApi: usage.httpRequests * PRICES.httpApiRequest,
    lambdaRequests: usage.lambdaInvocations * PRICES.lambdaRequest,
    sqs: usage.sqsRequests * PRICES.sqsRequest,
    eventBridge: usage.events * PRICES.eventBridgeEvent,
    pipes: usage.pipeRequests * PRICES.pipesRequest,
    streams: usage.streamReads * PRICES.dynamodbStreamsReadRequestUnit,
    stepFunctions: usage.expressExecutions * PRICES.stepFunctionsExpressRequest,
    dynamodbWrites: (usage.dynamodbWriteUnits + usage.dynamodbIndexWriteUnits) * PRICES.dynamodbWriteRequestUnit,
    dynamodbReads: usage.dynamodbReadUnits * PRICES.dynamodbReadRequestUnit,
  };
  const rounded = Object.fromEntries(Object.entries(lines).map(([name, dollars]) => [name, round(dollars, 3)]));
  return {
    ...rounded,
    total: round(
      Object.values(lines).reduce((sum, dollars) => sum + dollars, 0),
      3,
    ),
  };
}

/**
 * Lambda duration, apart: it depends on memory and on code speed, which this bench does not measure.
 * Assumption: every invocation bills 100 ms at 512 MB (a warm invocation of these handlers on moto takes
 * tens of ms; the SDK calls dominate); Express executions bill 100 ms per task at 64 MB.
 */
export const DURATION_ASSUMPTION = {
  lambdaMsPerInvocation: 100,
  lambdaMemoryGb: 0.5,
  expressMsPerTask: 100,
  expressMemoryGb: 0.0625,
} as const;

export function durationPerMillion(usage: OrderUsage, expressTasks: number): number {
  const lambda =
    usage.lambdaInvocations *
    DURATION_ASSUMPTION.lambdaMemoryGb *
    (DURATION_ASSUMPTION.lambdaMsPerInvocation / 1000) *
    PRICES.lambdaGbSecond;
  const express =
    expressTasks *
    DURATION_ASSUMPTION.expressMemoryGb *
    (DURATION_ASSUMPTION.expressMsPerTask / 1000) *
    PRICES.stepFunctionsExpressGbSecond;
  return round((lambda + express) * 1e6, 3);
}

/** What the orchestrated topology adds to the composed figures, counted from its workflows, per order. */
export function orchestratedExtras(row: Row): {
  lambdaInvocations: number;
  expressExecutions: number;
  stateTransitions: number;
  pipeRequests: number;
  expressTasks: number;
} {
  // Edge: the HTTP API invokes orchestrated-ingest, which starts the ingest workflow synchronously
  // (ValidateOrder, PublishOrder: 2 task invocations, 3 transitions with the final state).
  const ingest = { lambdaInvocations: 1 + 2, expressExecutions: 1, stateTransitions: 3, expressTasks: 2 };
  // Consume: a pipe (one request per queue record) starts the consume workflow; happy path ClaimIdempotency,
  // RouteClaimDecision, ProcessOrder, Done: 2 task invocations, 4 transitions.
  const consume = { lambdaInvocations: 2, expressExecutions: 1, stateTransitions: 4, pipeRequests: 1, expressTasks: 2 };
  // A failed attempt: ClaimIdempotency, Route, ProcessOrder (fails), ReleaseClaim, RouteReleaseVerdict, then
  // HoldBackForRetry and RetryLater, or ParkReleased: 3 task invocations, about 7 transitions. The hold-back's
  // ChangeMessageVisibility and the park's send to the DLQ are the SQS requests the composed worker makes too.
  const failedConsume = { lambdaInvocations: 3, expressExecutions: 1, stateTransitions: 7, pipeRequests: 1, expressTasks: 3 };
  // A duplicate delivery: ClaimIdempotency, Route, AlreadyDone: 1 task, 3 transitions.
  const duplicateConsume = { lambdaInvocations: 1, expressExecutions: 1, stateTransitions: 3, pipeRequests: 1, expressTasks: 1 };
  const sum = (...parts: Array<Partial<typeof failedConsume>>) => ({
    lambdaInvocations: parts.reduce((total, part) => total + (part.lambdaInvocations ?? 0), 0),
    expressExecutions: parts.reduce((total, part) => total + (part.expressExecutions ?? 0), 0),
    stateTransitions: parts.reduce((total, part) => total + (part.stateTransitions ?? 0), 0),
    pipeRequests: parts.reduce((total, part) => total + (part.pipeRequests ?? 0), 0),
    expressTasks: parts.reduce((total, part) => total + (part.expressTasks ?? 0), 0),
  });
  switch (row) {
    case '1-line order':
    case '100-line order':
      return sum(ingest, consume);
    case 'duplicate POST':
      // The ingest workflow runs again; PublishOrder answers from the reservation's failed condition.
      return sum(ingest);
    case 'duplicate delivery':
      return sum(duplicateConsume);
    case 'transient failure, then success':
      return sum(ingest, failedConsume, consume);
    case 'parked order':
      return sum(ingest, failedConsume);
  }
}

/**
 * The orchestrated topology's usage from the composed one's: the same DynamoDB, SQS and EventBridge work (its
 * steps run the same use cases); the edge's and the worker's invocations give way to the workflows' (the
 * edge function and the tasks); the relay's stay (one per pipe batch, counted as the pipe's stream reads).
 */
export function orchestratedUsage(composed: OrderUsage, row: Row): OrderUsage {
  const extra = orchestratedExtras(row);
  return {
    ...composed,
    lambdaInvocations: round(composed.streamReads + extra.lambdaInvocations, 3),
    expressExecutions: extra.expressExecutions,
    stateTransitions: extra.stateTransitions,
    pipeRequests: round(composed.pipeRequests + extra.pipeRequests, 3),
  };
}
