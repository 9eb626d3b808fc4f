import { orderParkedEvent, orderProcessedEvent, type EventContext } from '../../application/events/pipeline-events.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import type { IdempotencyRecord, StoredStatus } from '../../domain/idempotency.js';
import { checkInvariants, type FinalState } from '../../harness/demo/invariants.js';
import { emptyScenarioLog, type AcceptedOrder, type ScenarioLog } from '../../harness/demo/scenario.js';

/** The names `npm run demo` prints; a renamed or dropped invariant shows up here first. */
export const INVARIANT = {
  ending: 'every accepted order ended SUCCEEDED exactly once or parked with a category',
  noValidationParking: 'no order with a valid payload was parked as VALIDATION',
  noDoubleCommit: 'no business step was committed twice for one key',
  processedEvent: 'every success has its OrderProcessed event, with the committed outcome',
  keyReuse: 'a key reused for another payload never carried that payload through',
  rejections: 'every invalid payload was refused with its reason',
  duplicateAnswers: 'duplicates and key reuse got the answers a client can rely on',
  outbox: 'no order was parked because EventBridge was down, and every committed event was delivered after it',
  atRest: 'the pipeline came to rest: both queues empty, nothing in flight',
} as const;

export const NOW = Date.UTC(2026, 0, 1);
export const TOTAL = 4_498;
/** The total of the payload sent later under an already used key. */
export const REUSED_TOTAL = 89_991;

/**
 * A run as the demo sees it at the end, kept mutable so each test changes one thing. Commits are one
 * count per key, as in the commit ledger, so `committedTwice` always agrees with `commitsOf`.
 */
export interface Run {
  readonly log: ScenarioLog;
  readonly records: Map<string, IdempotencyRecord>;
  readonly commits: Map<string, number>;
  events: PipelineEvent[];
  atRest: boolean;
  leftOver: string;
}

export function accepted(label: string, key: string): AcceptedOrder {
  return { label, key, orderId: `order-${key}`, expected: { status: 'SUCCEEDED' }, totalMinor: TOTAL };
}

export function record(key: string, status: StoredStatus, fields: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key,
    status,
    payloadHash: `hash-${key}`,
    attempts: 1,
    expiresAt: NOW / 1_000 + 86_400,
    createdAt: NOW,
    updatedAt: NOW,
    orderId: `order-${key}`,
    ...fields,
  };
}

export function context(key: string): EventContext {
  return { source: 'orders.pipeline', idempotencyKey: key, orderId: `order-${key}`, correlationId: `correlation-${key}`, now: NOW };
}

export function processed(key: string, totalMinor = TOTAL): PipelineEvent {
  return orderProcessedEvent(context(key), { orderId: `order-${key}`, currency: 'EUR', totalMinor });
}

export function parkedByRedrive(key: string, category: ErrorCategory): PipelineEvent {
  return orderParkedEvent(context(key), { category, reason: 'redrive', body: '{}', messageId: `message-${key}` });
}

/**
 * Every invariant holds: one order succeeded, one was parked by the worker (category on its record), one
 * by the redrive (category only on its OrderParked event: its worker died before the claim, so it has no
 * record), and the edge answered as documented.
 */
export function goodRun(): Run {
  const log = emptyScenarioLog();
  for (const order of [accepted('valid #1', 'k-ok'), accepted('permanent-a', 'k-parked'), accepted('transient-c', 'k-redriven')])
    log.accepted.set(order.key, order);
  log.rejected.push({
    label: 'no lines',
    status: 400,
    allowed: [400],
    reasons: ['SCHEMA.ARRAYMINSIZE'],
    expectedReason: 'SCHEMA.ARRAYMINSIZE',
  });
  log.duplicates.push({ label: 'resend of a finished order', status: 200, allowed: [200, 202], reasons: ['SUCCEEDED'] });
  log.keyReuse.push({
    label: 'Idempotency-Key reused for another payload',
    status: 422,
    allowed: [422, 202],
    reasons: ['IDEMPOTENCY_KEY_REUSED'],
  });
  return {
    log,
    records: new Map([
      ['k-ok', record('k-ok', 'SUCCEEDED', { outcome: { orderId: 'order-k-ok', currency: 'EUR', totalMinor: TOTAL } })],
      ['k-parked', record('k-parked', 'PARKED', { lastError: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' } })],
    ]),
    commits: new Map([['k-ok', 1]]),
    events: [processed('k-ok'), parkedByRedrive('k-redriven', 'PERMANENT')],
    atRest: true,
    leftOver: 'order queue 0 waiting / 0 in flight / 0 delayed; DLQ 0',
  };
}

export function finalState(run: Run): FinalState {
  return {
    records: run.records,
    commitsOf: (key) => run.commits.get(key) ?? 0,
    committedTwice: [...run.commits].filter(([, count]) => count > 1).map(([key]) => key),
    events: run.events,
    atRest: run.atRest,
    leftOver: run.leftOver,
  };
}

export function failures(run: Run): { name: string; problems: readonly string[] }[] {
  return checkInvariants(run.log, finalState(run))
    .filter((check) => !check.ok)
    .map(({ name, problems }) => ({ name, problems }));
}

export function updateRecord(run: Run, key: string, fields: Partial<IdempotencyRecord>): void {
  const current = run.records.get(key);
  if (current === undefined) throw new Error(`no record ${key} in the run`);
  run.records.set(key, { ...current, ...fields });
}
