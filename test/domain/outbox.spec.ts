import { expect } from 'chai';
import fc from 'fast-check';
import { IllegalTransitionError } from '../../domain/errors.js';
import { transition, type IdempotencyRecord } from '../../domain/idempotency.js';
import {
  appendToOutbox,
  hasPendingEvents,
  markDelivered,
  OUTBOX_PENDING_ATTRIBUTE,
  OUTBOX_PENDING_SHARDS,
  OUTBOX_STREAM_FILTER,
  outboxPendingShard,
  outboxPendingSince,
  pendingEntries,
  type OutboxEntry,
} from '../../domain/outbox.js';

const NOW = 1_700_000_000_000;

function anEntry(eventId: string, overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return { eventId, detailType: 'OrderProcessed', source: 'orders.pipeline', time: NOW, detail: '{}', ...overrides };
}

function aRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key: 'order-1',
    status: 'INFLIGHT',
    payloadHash: 'hash-1',
    attempts: 1,
    ownerToken: 'owner-a',
    leaseExpiresAt: NOW + 30_000,
    expiresAt: NOW / 1000 + 86_400,
    createdAt: NOW - 60_000,
    updatedAt: NOW - 60_000,
    ...overrides,
  };
}

const entries = fc.uniqueArray(fc.stringMatching(/^[a-f0-9]{4}$/), { maxLength: 8 }).map((ids) => ids.map((id) => anEntry(id)));

describe('Module: outbox', () => {
  describe('Function: appendToOutbox', () => {
    it('appends fresh entries after the existing ones, never doubling an eventId and never carrying a delivery mark in', () => {
      const outbox = [anEntry('a', { deliveredAt: NOW })];
      const appended = appendToOutbox(outbox, [anEntry('a'), anEntry('b', { deliveredAt: NOW }), anEntry('b')]);
      expect(appended).to.deep.equal([anEntry('a', { deliveredAt: NOW }), anEntry('b')]);
    });

    it('keeps every existing entry in place and in order (the relay marks entries by index)', () => {
      fc.assert(
        fc.property(entries, entries, (existing, added) => {
          const appended = appendToOutbox(existing, added);
          expect(appended.slice(0, existing.length)).to.deep.equal(existing);
          expect(new Set(appended.map((entry) => entry.eventId)).size).to.equal(appended.length);
        }),
      );
    });
  });

  describe('Functions: pendingEntries, hasPendingEvents, markDelivered', () => {
    it('marks only the named undelivered entries, keeping the first delivery time', () => {
      const outbox = [anEntry('a', { deliveredAt: NOW - 5 }), anEntry('b'), anEntry('c')];
      const marked = markDelivered(outbox, ['a', 'b'], NOW);
      expect(marked.map((entry) => entry.deliveredAt)).to.deep.equal([NOW - 5, NOW, undefined]);
      expect(pendingEntries(marked).map((entry) => entry.eventId)).to.deep.equal(['c']);
      expect(hasPendingEvents(marked)).to.equal(true);
      expect(hasPendingEvents(markDelivered(marked, ['c'], NOW))).to.equal(false);
      expect(hasPendingEvents(undefined)).to.equal(false);
    });

    it('leaves nothing pending once every eventId is delivered, whatever the order of the marks', () => {
      fc.assert(
        fc.property(entries, fc.integer({ min: 0, max: 8 }), (outbox, split) => {
          const ids = outbox.map((entry) => entry.eventId);
          const marked = markDelivered(markDelivered(outbox, ids.slice(split), NOW), ids.slice(0, split), NOW + 1);
          expect(pendingEntries(marked)).to.deep.equal([]);
          expect(marked.map((entry) => entry.eventId)).to.deep.equal(ids);
        }),
      );
    });
  });

  describe('Constant: OUTBOX_STREAM_FILTER', () => {
    it('passes new images whose outboxPending attribute is BOOL true', () => {
      expect(OUTBOX_STREAM_FILTER).to.deep.equal({ dynamodb: { NewImage: { [OUTBOX_PENDING_ATTRIBUTE]: { BOOL: [true] } } } });
    });
  });

  describe('Function: transition (outbox events)', () => {
    it("commits a completion's events with its outcome, undelivered", () => {
      const done = transition(aRecord(), { type: 'COMPLETE', ownerToken: 'owner-a', outcome: { total: 1 }, events: [anEntry('p')] }, NOW);
      expect(done).to.deep.include({ status: 'SUCCEEDED', outcome: { total: 1 }, outbox: [anEntry('p')] });
    });

    it('keeps the parked message only when the failure parks', () => {
      const parkedMessage = { body: '{"order":1}', truncated: false };
      const retry = transition(
        aRecord(),
        { type: 'FAIL', ownerToken: 'owner-a', failure: { category: 'TRANSIENT', code: 'X' }, park: false, parkedMessage },
        NOW,
      );
      const parked = transition(
        aRecord(),
        {
          type: 'FAIL',
          ownerToken: 'owner-a',
          failure: { category: 'PERMANENT', code: 'X' },
          park: true,
          parkedMessage,
          events: [anEntry('f')],
        },
        NOW,
      );
      expect(retry.parkedMessage).to.equal(undefined);
      expect(parked).to.deep.include({ status: 'PARKED', parkedMessage, outbox: [anEntry('f')] });
    });

    it('lets a claim keep the outbox, the parked message and the replay count of the record it takes over', () => {
      const before = aRecord({ status: 'RETRY', outbox: [anEntry('x')], parkedMessage: { body: 'b', truncated: false }, replays: 1 });
      const { ownerToken: _o, leaseExpiresAt: _l, ...retry } = before;
      const claimed = transition(
        retry,
        {
          type: 'CLAIM',
          request: { key: 'order-1', payloadHash: 'hash-1', ownerToken: 'owner-b', now: NOW, leaseMs: 1_000, ttlSeconds: 60 },
        },
        NOW,
      );
      expect(claimed).to.deep.include({
        outbox: [anEntry('x')],
        parkedMessage: { body: 'b', truncated: false },
        replays: 1,
        ownerToken: 'owner-b',
      });
    });

    it('marks events delivered on DELIVER and changes nothing else', () => {
      const record = aRecord({ status: 'SUCCEEDED', outbox: [anEntry('p'), anEntry('q')] });
      const delivered = transition(record, { type: 'DELIVER', eventIds: ['q'] }, NOW);
      expect(delivered).to.deep.equal({ ...record, outbox: [anEntry('p'), anEntry('q', { deliveredAt: NOW })] });
    });

    it('replays a PARKED record whose outcome was committed as SUCCEEDED, its events appended, nothing else to run', () => {
      const record = aRecord({
        status: 'PARKED',
        outcome: { total: 1 },
        lastError: { category: 'TIMEOUT', code: 'T' },
        outbox: [anEntry('failed', { deliveredAt: NOW })],
      });
      const replayed = transition(record, { type: 'REPLAY', events: [anEntry('processed'), anEntry('replayed')] }, NOW);
      expect(replayed).to.deep.include({ status: 'SUCCEEDED', attempts: 1, replays: 1, outcome: { total: 1 }, updatedAt: NOW });
      expect(replayed.lastError).to.equal(undefined);
      expect(replayed.outbox?.map((entry) => entry.eventId)).to.deep.equal(['failed', 'processed', 'replayed']);
    });

    it('replays a PARKED record without an outcome as RETRY with a fresh attempt budget, forgetting the failure', () => {
      const record = aRecord({ status: 'PARKED', attempts: 5, replays: 2, lastError: { category: 'PERMANENT', code: 'P' } });
      const replayed = transition(record, { type: 'REPLAY', events: [anEntry('replayed')] }, NOW);
      expect(replayed).to.deep.include({ status: 'RETRY', attempts: 0, replays: 3 });
      expect(replayed.lastError).to.equal(undefined);
    });

    for (const status of ['INFLIGHT', 'RETRY', 'SUCCEEDED'] as const) {
      it(`refuses to replay a ${status} record`, () => {
        expect(() => transition(aRecord({ status }), { type: 'REPLAY', events: [] }, NOW)).to.throw(IllegalTransitionError);
      });
    }
  });

  describe('Function: outboxPendingSince', () => {
    it('is the commit time of the oldest undelivered entry, and undefined once nothing is owed', () => {
      const outbox = [anEntry('a', { time: NOW, deliveredAt: NOW + 1 }), anEntry('b', { time: NOW + 10 }), anEntry('c', { time: NOW + 5 })];
      expect(outboxPendingSince(outbox)).to.equal(NOW + 5);
      expect(outboxPendingSince(markDelivered(outbox, ['b', 'c'], NOW + 20))).to.equal(undefined);
      expect(outboxPendingSince(undefined)).to.equal(undefined);
    });

    it('is defined exactly when events are pending, and never later than any pending entry (property)', () => {
      fc.assert(
        fc.property(fc.array(fc.record({ time: fc.nat(), delivered: fc.boolean() }), { maxLength: 8 }), (entries) => {
          const outbox = entries.map((entry, index) =>
            anEntry(`e${index}`, { time: entry.time, ...(entry.delivered ? { deliveredAt: entry.time } : {}) }),
          );
          const since = outboxPendingSince(outbox);
          expect(since !== undefined).to.equal(hasPendingEvents(outbox));
          for (const entry of pendingEntries(outbox)) expect(since).to.be.at.most(entry.time);
        }),
      );
    });
  });

  describe('Function: outboxPendingShard', () => {
    it('gives every key a stable shard among OUTBOX_PENDING_SHARDS (property)', () => {
      fc.assert(
        fc.property(fc.string(), (key) => {
          const shard = outboxPendingShard(key);
          expect(Number.isInteger(shard) && shard >= 0 && shard < OUTBOX_PENDING_SHARDS).to.equal(true);
          expect(outboxPendingShard(key)).to.equal(shard);
        }),
      );
    });

    it('spreads order keys over every shard', () => {
      const counts = new Array<number>(OUTBOX_PENDING_SHARDS).fill(0);
      for (let index = 0; index < 8_000; index++) counts[outboxPendingShard(`order#${index}`)]! += 1;
      for (const count of counts) expect(count).to.be.within(800, 1_200);
    });
  });
});
