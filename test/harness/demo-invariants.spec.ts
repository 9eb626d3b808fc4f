import { expect } from 'chai';
import { orderParkedEvent, orderProcessedEvent, type EventContext } from '../../application/events/pipeline-events.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import type { IdempotencyRecord, StoredStatus } from '../../domain/idempotency.js';
import { checkInvariants, endingOf, type FinalState } from '../../harness/demo/invariants.js';
import { emptyScenarioLog, type AcceptedOrder, type ScenarioLog } from '../../harness/demo/scenario.js';

/** The names `npm run demo` prints; a renamed or dropped invariant shows up here first. */
const INVARIANT = {
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

const NOW = Date.UTC(2026, 0, 1);
const TOTAL = 4_498;
/** The total of the payload sent later under an already used key. */
const REUSED_TOTAL = 89_991;

/**
 * A run as the demo sees it at the end, kept mutable so each test changes one thing. Commits are one
 * count per key, as in the commit ledger, so `committedTwice` always agrees with `commitsOf`.
 */
interface Run {
  readonly log: ScenarioLog;
  readonly records: Map<string, IdempotencyRecord>;
  readonly commits: Map<string, number>;
  events: PipelineEvent[];
  atRest: boolean;
  leftOver: string;
}

function accepted(label: string, key: string): AcceptedOrder {
  return { label, key, orderId: `order-${key}`, expected: { status: 'SUCCEEDED' }, totalMinor: TOTAL };
}

function record(key: string, status: StoredStatus, fields: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
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

function context(key: string): EventContext {
  return { source: 'orders.pipeline', idempotencyKey: key, orderId: `order-${key}`, correlationId: `correlation-${key}`, now: NOW };
}

function processed(key: string, totalMinor = TOTAL): PipelineEvent {
  return orderProcessedEvent(context(key), { orderId: `order-${key}`, currency: 'EUR', totalMinor });
}

function parkedByRedrive(key: string, category: ErrorCategory): PipelineEvent {
  return orderParkedEvent(context(key), { category, reason: 'redrive', body: '{}', messageId: `message-${key}` });
}

/**
 * Every invariant holds: one order succeeded, one was parked by the worker (category on its record), one
 * by the redrive (category only on its OrderParked event: its worker died before the claim, so it has no
 * record), and the edge answered as documented.
 */
function goodRun(): Run {
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

function finalState(run: Run): FinalState {
  return {
    records: run.records,
    commitsOf: (key) => run.commits.get(key) ?? 0,
    committedTwice: [...run.commits].filter(([, count]) => count > 1).map(([key]) => key),
    events: run.events,
    atRest: run.atRest,
    leftOver: run.leftOver,
  };
}

function failures(run: Run): { name: string; problems: readonly string[] }[] {
  return checkInvariants(run.log, finalState(run))
    .filter((check) => !check.ok)
    .map(({ name, problems }) => ({ name, problems }));
}

function updateRecord(run: Run, key: string, fields: Partial<IdempotencyRecord>): void {
  const current = run.records.get(key);
  if (current === undefined) throw new Error(`no record ${key} in the run`);
  run.records.set(key, { ...current, ...fields });
}

describe('Function: checkInvariants (npm run demo)', () => {
  it('passes every invariant for a run that ended well', () => {
    const run = goodRun();

    const checks = checkInvariants(run.log, finalState(run));

    expect(checks.map((check) => check.name)).to.deep.equal(Object.values(INVARIANT));
    expect(checks.filter((check) => !check.ok || check.problems.length > 0)).to.deep.equal([]);
  });

  it('passes an OrderProcessed event that was sent twice with the same id', () => {
    // A retry after the business step re-emits the event with its deterministic id: consumers de-duplicate it.
    const run = goodRun();
    run.events.push(processed('k-ok'));

    expect(failures(run)).to.deep.equal([]);
  });

  describe(`Invariant: ${INVARIANT.ending}`, () => {
    it('fails for an accepted order still waiting for a retry', () => {
      const run = goodRun();
      run.records.set('k-ok', record('k-ok', 'RETRY', { attempts: 2 }));
      run.commits.delete('k-ok');
      run.events = run.events.filter((event) => event.detailType !== 'OrderProcessed');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['valid #1 (k-ok): RETRY, attempts 2'] }]);
    });

    it('fails for an accepted order of which the store knows nothing', () => {
      const run = goodRun();
      run.records.delete('k-parked');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['permanent-a (k-parked): no record'] }]);
    });

    it('fails for a SUCCEEDED record whose business step the commit ledger never saw', () => {
      const run = goodRun();
      run.commits.delete('k-ok');

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.ending, problems: ['valid #1: SUCCEEDED with 0 commits'] }]);
    });
  });

  describe(`Invariant: ${INVARIANT.noValidationParking}`, () => {
    it('fails for an order the worker parked as VALIDATION', () => {
      const run = goodRun();
      updateRecord(run, 'k-parked', { lastError: { category: 'VALIDATION', code: 'MESSAGE.INVALID' } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.noValidationParking, problems: ['permanent-a (k-parked): parked VALIDATION (MESSAGE.INVALID)'] },
      ]);
    });

    it('fails for an order the redrive parked as VALIDATION', () => {
      const run = goodRun();
      run.events = [processed('k-ok'), parkedByRedrive('k-redriven', 'VALIDATION')];

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.noValidationParking, problems: ['transient-c (k-redriven): parked VALIDATION (redrive)'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.noDoubleCommit}`, () => {
    it('fails for a key committed twice even when no accepted order carries it', () => {
      // The client may never have seen the 202 (an injected 5xx after the send, then 409 on the retry).
      const run = goodRun();
      run.commits.set('k-lost-answer', 2);

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.noDoubleCommit, problems: ['k-lost-answer committed 2 times'] }]);
    });

    it('fails for an accepted order committed twice, which also did not succeed exactly once', () => {
      const run = goodRun();
      run.commits.set('k-ok', 2);

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.ending, problems: ['valid #1: SUCCEEDED with 2 commits'] },
        { name: INVARIANT.noDoubleCommit, problems: ['k-ok committed 2 times'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.processedEvent}`, () => {
    it('fails for a success that was never announced', () => {
      const run = goodRun();
      run.events = run.events.filter((event) => event.detailType !== 'OrderProcessed');

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: ['valid #1: SUCCEEDED without an OrderProcessed event'] },
      ]);
    });

    it('fails for a success announced under two event ids, which consumers would count twice', () => {
      const run = goodRun();
      const second = processed('k-ok');
      run.events.push({ ...second, eventId: 'another-id', detail: { ...second.detail, eventId: 'another-id' } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: ['valid #1: 2 different OrderProcessed event ids'] },
      ]);
    });

    it('fails for an announced total that differs from the committed one', () => {
      const run = goodRun();
      updateRecord(run, 'k-ok', { outcome: { orderId: 'order-k-ok', currency: 'EUR', totalMinor: TOTAL + 1 } });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.processedEvent, problems: [`valid #1: announced totals ${TOTAL} but committed ${TOTAL + 1}`] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.keyReuse}`, () => {
    it('fails when the payload sent later under a used key was committed and announced', () => {
      const run = goodRun();
      updateRecord(run, 'k-ok', { outcome: { orderId: 'order-k-ok', currency: 'EUR', totalMinor: REUSED_TOTAL } });
      run.events = [processed('k-ok', REUSED_TOTAL), parkedByRedrive('k-redriven', 'PERMANENT')];

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.keyReuse, problems: [`k-ok: announced a total of ${REUSED_TOTAL}`] }]);
    });
  });

  describe(`Invariant: ${INVARIANT.rejections}`, () => {
    it('fails for an invalid payload that was accepted', () => {
      const run = goodRun();
      run.log.rejected.push({ label: 'a quantity of 0', status: 202, allowed: [400], reasons: ['202'], expectedReason: 'SCHEMA.MIN' });

      expect(failures(run)).to.deep.equal([{ name: INVARIANT.rejections, problems: ['a quantity of 0: HTTP 202, expected 400'] }]);
    });

    it('fails for a refusal that does not give the expected reason', () => {
      const run = goodRun();
      run.log.rejected.push({
        label: 'an unknown currency',
        status: 400,
        allowed: [400],
        reasons: ['SCHEMA.MATCHES'],
        expectedReason: 'ORDER.CURRENCY_NOT_ISO_4217',
      });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.rejections, problems: ['an unknown currency: reasons SCHEMA.MATCHES, expected ORDER.CURRENCY_NOT_ISO_4217'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.duplicateAnswers}`, () => {
    it('fails for a duplicate answered with a status a client cannot rely on', () => {
      const run = goodRun();
      run.log.duplicates.push({ label: 'burst of 4 identical orders', status: 500, allowed: [200, 202, 409], reasons: [] });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.duplicateAnswers, problems: ['burst of 4 identical orders: HTTP 500, expected 200 or 202 or 409'] },
      ]);
    });

    it('fails for a reused key that was answered as a duplicate', () => {
      const run = goodRun();
      run.log.keyReuse.splice(0, 1, {
        label: 'Idempotency-Key reused for another payload',
        status: 200,
        allowed: [422, 202],
        reasons: ['SUCCEEDED'],
      });

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.duplicateAnswers, problems: ['Idempotency-Key reused for another payload: HTTP 200, expected 422 or 202'] },
      ]);
    });
  });

  describe(`Invariant: ${INVARIANT.atRest}`, () => {
    it('fails with what was left over when the pipeline did not come to rest', () => {
      const run = goodRun();
      run.atRest = false;
      run.leftOver = 'order queue 0 waiting / 1 in flight / 0 delayed; DLQ 2';

      expect(failures(run)).to.deep.equal([
        { name: INVARIANT.atRest, problems: ['order queue 0 waiting / 1 in flight / 0 delayed; DLQ 2'] },
      ]);
    });
  });
});

describe('Function: endingOf', () => {
  it('tells a success, a parking by the worker, a parking by the redrive and an unfinished order apart', () => {
    const run = goodRun();
    run.records.set('k-waiting', record('k-waiting', 'INFLIGHT', { attempts: 3 }));
    const state = finalState(run);

    expect(endingOf('k-ok', state)).to.deep.equal({ kind: 'SUCCEEDED', detail: 'attempts 1' });
    expect(endingOf('k-parked', state)).to.deep.equal({ kind: 'PARKED', detail: 'PERMANENT (SIMULATED.PERMANENT)', category: 'PERMANENT' });
    expect(endingOf('k-redriven', state)).to.deep.equal({ kind: 'PARKED', detail: 'PERMANENT (redrive)', category: 'PERMANENT' });
    expect(endingOf('k-waiting', state)).to.deep.equal({ kind: 'UNFINISHED', detail: 'INFLIGHT, attempts 3' });
    expect(endingOf('k-unknown', state)).to.deep.equal({ kind: 'UNFINISHED', detail: 'no record' });
  });
});

describe('Invariant: the EventBridge outage', () => {
  it('fails for an order sent during the outage that was parked, naming it', () => {
    const run = goodRun();
    run.log.duringEventBridgeOutage.push('k-parked');
    expect(failures(run)).to.deep.equal([
      { name: INVARIANT.outbox, problems: ['k-parked: parked during the EventBridge outage (PERMANENT (SIMULATED.PERMANENT))'] },
    ]);
  });

  it('fails for a committed event the relay never delivered, naming the record and the event', () => {
    const run = goodRun();
    updateRecord(run, 'k-ok', {
      outbox: [{ eventId: 'e-1', detailType: 'OrderProcessed', source: 'orders.pipeline', time: NOW, detail: '{}' }],
    });
    expect(failures(run)).to.deep.equal([{ name: INVARIANT.outbox, problems: ['k-ok (SUCCEEDED): OrderProcessed never delivered'] }]);
    updateRecord(run, 'k-ok', {
      outbox: [{ eventId: 'e-1', detailType: 'OrderProcessed', source: 'orders.pipeline', time: NOW, detail: '{}', deliveredAt: NOW }],
    });
    expect(failures(run)).to.deep.equal([]);
  });
});
