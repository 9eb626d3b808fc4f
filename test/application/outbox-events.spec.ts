import { expect } from 'chai';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { fromOutboxEntry, parkedMessageOf, toOutboxEntry } from '../../application/events/outbox-events.js';
import {
  customOrderEvent,
  orderFailedEvent,
  orderParkedEvent,
  orderProcessedEvent,
  orderPublishedEvent,
  orderReplayedEvent,
  type EventContext,
} from '../../application/events/pipeline-events.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';

const KEY = 'order-0c01024595b4ffcff70af4950159cac8063549b4';
const CONTEXT: EventContext = {
  source: 'orders.pipeline',
  idempotencyKey: KEY,
  orderId: 'o-1',
  correlationId: 'c-1',
  now: 1_796_555_847_177,
};
const BODY = JSON.stringify({ schemaVersion: '1', order: { orderId: 'o-1' } });

function recordOf(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return { key: KEY, status: 'SUCCEEDED', payloadHash: 'h', attempts: 1, expiresAt: 1, createdAt: 1, updatedAt: 1, ...overrides };
}

const EVENTS: Record<string, PipelineEvent> = {
  published: orderPublishedEvent(CONTEXT, 'm-1', 1_796_555_847_073),
  processed: orderProcessedEvent(CONTEXT, {
    orderId: 'o-1',
    currency: 'EUR',
    lineCount: 1,
    subtotalMinor: 1_999,
    taxMinor: 0,
    totalMinor: 1_999,
  }),
  failed: orderFailedEvent(CONTEXT, { category: 'TRANSIENT', code: 'X' }, 2),
  replayed: orderReplayedEvent(CONTEXT, { replay: 1, resumed: false }),
  custom: customOrderEvent(CONTEXT, 'OrderFlaggedForReview', { reason: 'large' }),
};

describe('Outbox entries (application/outbox-events)', () => {
  describe('Function: toOutboxEntry', () => {
    it('stores neither the eventId (the entry holds it) nor the idempotencyKey (the record is keyed by it)', () => {
      for (const [name, event] of Object.entries(EVENTS)) {
        const stored = JSON.parse(toOutboxEntry(event).detail) as Record<string, unknown>;
        expect(stored, name).not.to.have.property('eventId');
        expect(stored, name).not.to.have.property('idempotencyKey');
        expect(stored, name).to.include({ orderId: 'o-1', correlationId: 'c-1' });
      }
    });

    it('is about 110 bytes smaller per entry than the whole detail', () => {
      const whole = JSON.stringify(EVENTS.published!.detail).length;
      expect(whole - toOutboxEntry(EVENTS.published!).detail.length).to.be.at.least(100);
    });
  });

  describe('Function: fromOutboxEntry', () => {
    it('gives back every event exactly as it would have been published directly, its fields in the same order', () => {
      for (const [name, event] of Object.entries(EVENTS)) {
        const delivered = fromOutboxEntry(recordOf(), toOutboxEntry(event));
        expect(delivered, name).to.deep.equal(event);
        expect(Object.keys(delivered.detail), name).to.deep.equal(Object.keys(event.detail));
      }
    });

    it('puts the parked message back from the record, and the ids with it', () => {
      const parked = orderParkedEvent(CONTEXT, { category: 'PERMANENT', reason: 'no', body: BODY, messageId: 'm-1' });
      const delivered = fromOutboxEntry(recordOf({ status: 'PARKED', parkedMessage: parkedMessageOf(BODY) }), toOutboxEntry(parked));
      expect(delivered).to.deep.equal(parked);
    });

    it('reads an entry written whole, before the ids were left to the record, as it was written', () => {
      const event = EVENTS.processed!;
      const written = { ...toOutboxEntry(event), detail: JSON.stringify(event.detail) };
      expect(fromOutboxEntry(recordOf(), written)).to.deep.equal(event);
    });
  });
});
