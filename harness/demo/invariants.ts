import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { EdgeAnswer, ScenarioLog } from './scenario.js';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  /** What went wrong, one line per case; empty when ok. */
  readonly problems: readonly string[];
}

export interface FinalState {
  readonly records: ReadonlyMap<string, IdempotencyRecord>;
  readonly commitsOf: (key: string) => number;
  readonly committedTwice: readonly string[];
  readonly events: readonly PipelineEvent[];
  readonly atRest: boolean;
  readonly leftOver: string;
}

/** How an accepted order ended: committed once, or parked with a category (on its record, or announced by the redrive). */
export function endingOf(
  key: string,
  state: FinalState,
): { readonly kind: 'SUCCEEDED' | 'PARKED' | 'UNFINISHED'; readonly detail: string; readonly category?: string } {
  const record = state.records.get(key);
  if (record?.status === 'SUCCEEDED') return { kind: 'SUCCEEDED', detail: `attempts ${record.attempts}` };
  const parkedEvent = state.events.find((event) => event.detailType === 'OrderParked' && event.detail.idempotencyKey === key);
  const category = record?.status === 'PARKED' ? record.lastError?.category : (parkedEvent?.detail.category as string | undefined);
  if (category !== undefined) return { kind: 'PARKED', detail: `${category} (${record?.lastError?.code ?? 'redrive'})`, category };
  return { kind: 'UNFINISHED', detail: record === undefined ? 'no record' : `${record.status}, attempts ${record.attempts}` };
}

/** The demo's invariants. Any failed check makes `npm run demo` exit non-zero. */
export function checkInvariants(log: ScenarioLog, state: FinalState): Check[] {
  const accepted = [...log.accepted.values()];
  const processedOf = (key: string): PipelineEvent[] =>
    state.events.filter((event) => event.detailType === 'OrderProcessed' && event.detail.idempotencyKey === key);
  return [
    check(
      'every accepted order ended SUCCEEDED exactly once or parked with a category',
      accepted.flatMap((order) => {
        const ending = endingOf(order.key, state);
        if (ending.kind === 'UNFINISHED') return [`${order.label} (${order.key}): ${ending.detail}`];
        if (ending.kind === 'SUCCEEDED' && state.commitsOf(order.key) !== 1)
          return [`${order.label}: SUCCEEDED with ${state.commitsOf(order.key)} commits`];
        return [];
      }),
    ),
    check(
      'no order with a valid payload was parked as VALIDATION',
      accepted.flatMap((order) => {
        const ending = endingOf(order.key, state);
        return ending.kind === 'PARKED' && ending.category === 'VALIDATION'
          ? [`${order.label} (${order.key}): parked ${ending.detail}`]
          : [];
      }),
    ),
    check(
      'no business step was committed twice for one key',
      state.committedTwice.map((key) => `${key} committed ${state.commitsOf(key)} times`),
    ),
    check(
      'every success has its OrderProcessed event, with the committed outcome',
      accepted.flatMap((order) => {
        const record = state.records.get(order.key);
        if (record?.status !== 'SUCCEEDED') return [];
        const events = processedOf(order.key);
        if (events.length === 0) return [`${order.label}: SUCCEEDED without an OrderProcessed event`];
        const ids = new Set(events.map((event) => event.eventId));
        if (ids.size !== 1) return [`${order.label}: ${ids.size} different OrderProcessed event ids`];
        const announced = events.map((event) => (event.detail.outcome as { totalMinor?: unknown } | undefined)?.totalMinor);
        return announced.every((total) => total === record.outcome?.totalMinor)
          ? []
          : [`${order.label}: announced totals ${announced.join(', ')} but committed ${String(record.outcome?.totalMinor)}`];
      }),
    ),
    check(
      'a key reused for another payload never carried that payload through',
      accepted.flatMap((order) =>
        processedOf(order.key)
          .filter((event) => (event.detail.outcome as { totalMinor?: unknown } | undefined)?.totalMinor !== order.totalMinor)
          .map((event) => `${order.key}: announced a total of ${String((event.detail.outcome as { totalMinor?: unknown }).totalMinor)}`),
      ),
    ),
    check('every invalid payload was refused with its reason', log.rejected.flatMap(unexpectedAnswer)),
    check('duplicates and key reuse got the answers a client can rely on', [...log.duplicates, ...log.keyReuse].flatMap(unexpectedAnswer)),
    check('no order was parked because EventBridge was down, and every committed event was delivered after it', [
      ...log.duringEventBridgeOutage.flatMap((key) => {
        const ending = endingOf(key, state);
        return ending.kind === 'PARKED' ? [`${key}: parked during the EventBridge outage (${ending.detail})`] : [];
      }),
      ...[...state.records.values()].flatMap((record) => {
        const owed = (record.outbox ?? []).filter((entry) => entry.deliveredAt === undefined).map((entry) => entry.detailType);
        return owed.length === 0 ? [] : [`${record.key} (${record.status}): ${owed.join(', ')} never delivered`];
      }),
    ]),
    check('the pipeline came to rest: both queues empty, nothing in flight', state.atRest ? [] : [state.leftOver]),
  ];
}

function unexpectedAnswer(answer: EdgeAnswer): string[] {
  if (!answer.allowed.includes(answer.status)) return [`${answer.label}: HTTP ${answer.status}, expected ${answer.allowed.join(' or ')}`];
  if (answer.expectedReason !== undefined && !answer.reasons.includes(answer.expectedReason)) {
    return [`${answer.label}: reasons ${answer.reasons.join(', ')}, expected ${answer.expectedReason}`];
  }
  return [];
}

function check(name: string, problems: readonly string[]): Check {
  return { name, ok: problems.length === 0, problems };
}
