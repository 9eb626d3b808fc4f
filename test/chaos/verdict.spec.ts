import { expect } from 'chai';
import { brokenInvariants, judge, latencySummary, percentile, type ClientKey, type ObservedOrder } from '../../chaos/verdict.js';

const T0 = 1_000_000;

function client(key: string, overrides: Partial<ClientKey> = {}): ClientKey {
  return { key, firstPostAt: T0, acceptedSubtotal: 4_498, answers: [202], kinds: ['original'], ...overrides };
}

function order(key: string, overrides: Partial<ObservedOrder> = {}): ObservedOrder {
  return {
    key,
    status: 'SUCCEEDED',
    attempts: 1,
    updatedAt: T0 + 500,
    settledAt: T0 + 400,
    commits: 1,
    outcome: { subtotalMinor: 4_498 },
    outbox: [
      { eventId: `${key}-published`, detailType: 'OrderPublished', delivered: true },
      { eventId: `${key}-processed`, detailType: 'OrderProcessed', delivered: true },
    ],
    delivered: { OrderPublished: { [`${key}-published`]: 1 }, OrderProcessed: { [`${key}-processed`]: 1 } },
    ...overrides,
  };
}

describe('Fault scenarios: the verdict (chaos/verdict.ts)', () => {
  describe('Function: percentile / latencySummary', () => {
    it('takes the nearest rank, so a tail of one in a hundred is the p99 and not averaged away', () => {
      const values = [...Array.from({ length: 98 }, () => 100), 50_000, 90_000];
      expect(
        percentile(
          [...values].sort((a, b) => a - b),
          99,
        ),
      ).to.equal(50_000);
      expect(latencySummary(values)).to.deep.equal({ count: 100, p50Ms: 100, p95Ms: 100, p99Ms: 50_000, maxMs: 90_000 });
    });

    it('reports zeros for no values rather than NaN', () => {
      expect(latencySummary([])).to.deep.equal({ count: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0, maxMs: 0 });
    });
  });

  describe('Function: judge', () => {
    it('finds nothing wrong with accepted orders that succeeded once and were announced once', () => {
      const verdict = judge([client('a'), client('b')], [order('a'), order('b')]);
      expect(brokenInvariants(verdict)).to.deep.equal([]);
      expect(verdict).to.include({ accepted: 2, succeeded: 2, parked: 0, duplicateDeliveryKeys: 0, conflictAfterUnavailable: 0 });
      expect(verdict.latency.maxMs).to.equal(400);
    });

    it('counts an accepted order that is not settled as lost, and a reservation nothing works as left ACCEPTED', () => {
      const verdict = judge(
        [client('a'), client('b'), client('c', { answers: [503, 409], kinds: ['original', 'original'] })],
        [
          order('a'),
          order('b', { status: 'RETRY', outbox: [], delivered: {} }),
          order('c', { status: 'ACCEPTED', outbox: [], delivered: {} }),
        ],
      );
      expect(verdict.lost).to.deep.equal(['b']);
      expect(verdict.leftAccepted).to.deep.equal(['c']);
      expect(verdict.conflictAfterUnavailable, 'a 409 for the same payload after a 503').to.equal(1);
      expect(brokenInvariants(verdict)).to.have.length(2);
    });

    it('counts a 409 after a 503 only while the order was not yet accepted: a re-post of a queued order is rightly 409', async () => {
      const verdict = judge(
        [
          client('a', { answers: [503, 202, 409], kinds: ['original', 'original', 'repost'] }),
          client('b', { answers: [503, 409], kinds: ['original', 'original'], acceptedSubtotal: undefined }),
          // Accepted first; a re-post then met a fault (503) and its retry the queued order (409): the truth.
          client('c', { answers: [202, 503, 503, 409], kinds: ['original', 'repost', 'repost', 'repost'] }),
        ],
        [order('a'), order('b'), order('c')],
      );
      expect(verdict.conflictAfterUnavailable).to.equal(1);
      expect(verdict.conflictAfterUnavailableSamples).to.deep.equal(['b: 503 409']);
    });

    it('names double commits, events for an outcome not committed, outcomes never announced, and records owing events', () => {
      const verdict = judge(
        [client('a'), client('b'), client('c'), client('d'), client('e')],
        [
          order('a', { commits: 2 }),
          order('b', { status: 'PARKED', lastError: { category: 'PERMANENT', code: 'X' } }),
          order('c', { delivered: { OrderPublished: { 'c-published': 1 } } }),
          order('e', { delivered: { OrderProcessed: { 'e-processed': 1 } } }),
          order('d', { outbox: [{ eventId: 'd-processed', detailType: 'OrderProcessed', delivered: false }] }),
        ],
      );
      expect(verdict.committedTwice).to.deep.equal(['a']);
      expect(verdict.eventsForUncommitted).to.deep.equal(['b']);
      expect(verdict.committedNotAnnounced).to.deep.equal(['c']);
      expect(verdict.queuedNotPublished, 'worked, so queued: its OrderPublished is owed').to.deep.equal(['e']);
      expect(verdict.publishedNeverQueued).to.deep.equal([]);
      expect(verdict.owingEvents).to.deep.equal(['d']);
      expect(verdict.parkedByCategory).to.deep.equal({ PERMANENT: 1 });
    });

    it('names an order announced as published whose message no worker ever received', () => {
      const verdict = judge(
        [client('a'), client('b')],
        [
          order('a', { status: 'ACCEPTED', attempts: 0, outbox: [], delivered: { OrderPublished: { 'a-published': 1 } } }),
          order('b', { status: 'ACCEPTED', attempts: 0, outbox: [], delivered: {} }),
        ],
      );

      expect(verdict.publishedNeverQueued).to.deep.equal(['a']);
      expect(brokenInvariants(verdict).some((line) => line.startsWith('orders announced as published that were never queued: 1'))).to.equal(
        true,
      );
    });

    it('allows a re-delivery under the same id (counted), but not the same event under a new id', () => {
      const verdict = judge(
        [client('a'), client('b')],
        [
          order('a', { delivered: { OrderPublished: { 'a-published': 1 }, OrderProcessed: { 'a-processed': 3 } } }),
          order('b', { delivered: { OrderPublished: { 'b-published': 1 }, OrderProcessed: { 'b-processed': 1, 'b-processed-again': 1 } } }),
        ],
      );
      expect(verdict.duplicateDeliveryKeys).to.equal(1);
      expect(verdict.duplicateDeliveryShare).to.equal(0.5);
      expect(verdict.announcedTwiceWithNewIds).to.deep.equal(['b']);
      expect(brokenInvariants(verdict)).to.deep.equal(['one event announced under two ids: 1 (b)']);
    });

    it('holds the first accepted payload to be the one committed, and a conflicting payload never accepted', () => {
      const verdict = judge(
        [client('a'), client('b', { answers: [202, 202], kinds: ['original', 'conflict'], conflictAccepted: true })],
        [order('a', { outcome: { subtotalMinor: 6_497 } }), order('b')],
      );
      expect(verdict.firstAcceptedLost).to.deep.equal(['a']);
      expect(verdict.conflictsAccepted).to.deep.equal(['b']);
    });

    it("measures latency from the first POST to the settlement the harness saw, falling back to the record's last update", () => {
      const verdict = judge(
        [client('a'), client('b', { firstPostAt: T0 - 1_000 })],
        [order('a', { settledAt: T0 + 2_000 }), order('b', { settledAt: undefined, updatedAt: T0 + 9_000 })],
      );
      expect(verdict.latency).to.deep.include({ p50Ms: 2_000, maxMs: 10_000 });
    });

    it('does not count a key the edge never accepted (its client gave up) as lost', () => {
      const verdict = judge(
        [client('a', { answers: [503, 503, 0], kinds: ['original', 'original', 'original'], acceptedSubtotal: undefined })],
        [],
      );
      expect(verdict.accepted).to.equal(0);
      expect(verdict.lost).to.deep.equal([]);
    });
  });
});
