import { expect } from 'chai';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.js';
import { toRecord } from '../../../adapters/aws/idempotency-item.js';
import type { ClaimRequest, FailureInfo } from '../../../domain/idempotency.js';
import {
  OUTBOX_PENDING_ATTRIBUTE,
  OUTBOX_PENDING_SHARD_ATTRIBUTE,
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
  outboxPendingShard,
  type OutboxEntry,
} from '../../../domain/outbox.js';
import { passesOutboxFilter, type StreamRecordJson, type TableStream } from '../../../harness/emulation/streams/table-stream.js';
import { freshSubjectPerTest, uniqueName, type Disposable } from './contract-support.js';

export interface OutboxStoreContractSubject extends Disposable {
  readonly store: IdempotencyStore;
  /** The table's change stream, opened before the test writes anything. */
  readonly stream: TableStream;
}

const NOW = Date.UTC(2026, 0, 1, 12);
const PERMANENT: FailureInfo = { category: 'PERMANENT', code: 'ORDER.UNKNOWN_CUSTOMER' };

function anEntry(eventId: string, detailType = 'OrderProcessed', time = NOW): OutboxEntry {
  return { eventId, detailType, source: 'orders.pipeline', time, detail: JSON.stringify({ eventId, outcome: { totalMinor: 4_498 } }) };
}

/**
 * Reads the stream until `count` records of `key` arrived (a real stream hands records over in pages).
 * moto streams an UpdateItem that creates an item as two INSERTs, the first with a key-only image
 * (DynamoDB streams one); such images are dropped here, as the pipe's filter drops them (no outboxPending).
 */
async function recordsOf(stream: TableStream, key: string, count: number): Promise<StreamRecordJson[]> {
  const found: StreamRecordJson[] = [];
  for (let poll = 0; poll < 50 && found.length < count; poll++) {
    const page = await stream.peek(100);
    stream.advance(page.length);
    found.push(...page.filter((record) => record.dynamodb.Keys.pk?.S === key && Object.keys(record.dynamodb.NewImage ?? {}).length > 1));
    if (found.length < count) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return found;
}

/**
 * The outbox on the idempotency record, and the change stream the relay reads: the in-memory emulation
 * must write what DynamoDB (moto) writes and stream what DynamoDB Streams streams.
 */
export function outboxStoreContract(name: string, makeSubject: () => Promise<OutboxStoreContractSubject>): void {
  describe(`Contract: outbox on the idempotency record, and its stream (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);
    const store = (): IdempotencyStore => subject().store;
    let key: string;

    beforeEach(() => {
      key = uniqueName('order#outbox');
    });

    function aClaim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
      return {
        key,
        payloadHash: 'hash-1',
        ownerToken: 'owner-a',
        now: NOW,
        leaseMs: 30_000,
        ttlSeconds: 3_600,
        orderId: 'order-0001',
        correlationId: 'corr-1',
        ...overrides,
      };
    }

    it("commits the completion's events with its outcome in one write, undelivered", async () => {
      await store().claim(aClaim());
      const done = await store().complete(key, 'owner-a', NOW + 10, { totalMinor: 4_498 }, [
        anEntry('e-1'),
        anEntry('e-2', 'OrderFlagged'),
      ]);

      expect(done).to.deep.include({ status: 'SUCCEEDED', outcome: { totalMinor: 4_498 } });
      expect(done.outbox).to.deep.equal([anEntry('e-1'), anEntry('e-2', 'OrderFlagged')]);
      expect(await store().get(key, NOW + 20)).to.deep.equal(done);
    });

    it("commits a park's events and keeps its message, from the worker (fail) and from the redrive (park)", async () => {
      await store().claim(aClaim());
      const parkedMessage = { body: '{"order":{"orderId":"order-0001"}}', truncated: false };
      const failed = await store().fail(key, 'owner-a', PERMANENT, true, NOW + 10, undefined, {
        events: [anEntry('failed', 'OrderFailed')],
        parkedMessage,
      });
      const parked = await store().park(key, PERMANENT, NOW + 20, { events: [anEntry('parked', 'OrderParked')], parkedMessage });

      expect(failed).to.deep.include({ status: 'PARKED', parkedMessage });
      expect(parked?.outbox?.map((entry) => entry.eventId)).to.deep.equal(['failed', 'parked']);
      expect(parked?.parkedMessage).to.deep.equal(parkedMessage);
    });

    it('marks delivered entries by eventId and clears the pending flag once nothing is left, merging a concurrent append', async () => {
      await store().claim(aClaim());
      await store().fail(key, 'owner-a', { category: 'TRANSIENT', code: 'T' }, false, NOW + 1, undefined, {
        events: [anEntry('first', 'OrderFailed')],
      });
      const seen = await store().get(key, NOW + 2);
      // Between the relay's read and its mark, the order is claimed and completed: one more entry appended.
      await store().claim(aClaim({ ownerToken: 'owner-b', now: NOW + 3 }));
      await store().complete(key, 'owner-b', NOW + 4, { totalMinor: 1 }, [anEntry('second')]);

      const marked = await store().markDelivered(seen!, ['first'], NOW + 5);
      expect(marked?.outbox?.map((entry) => [entry.eventId, entry.deliveredAt])).to.deep.equal([
        ['first', NOW + 5],
        ['second', undefined],
      ]);
      const done = await store().markDelivered(marked!, ['second'], NOW + 6);
      expect(done?.outbox?.every((entry) => entry.deliveredAt !== undefined)).to.equal(true);
      expect(await store().markDelivered(done!, ['second'], NOW + 7), 'a second mark changes nothing').to.deep.equal(done);
      expect(
        await store().markDelivered({ ...done!, key: uniqueName('gone'), outbox: [anEntry('x')] }, ['x'], NOW),
        'an absent record',
      ).to.equal(undefined);
    });

    it('replays a PARKED record only as it was read: a record that changed since is refused with what it is now', async () => {
      await store().claim(aClaim());
      await store().fail(key, 'owner-a', PERMANENT, true, NOW + 10, undefined, { parkedMessage: { body: 'b', truncated: false } });
      const seen = await store().get(key, NOW + 20);

      const replayed = await store().replay(seen!, [anEntry('replayed', 'OrderReplayed')], NOW + 30);
      const again = await store().replay(seen!, [anEntry('replayed-2', 'OrderReplayed')], NOW + 40);

      expect(replayed.replayed).to.equal(true);
      expect(replayed.record).to.deep.include({ status: 'RETRY', attempts: 0, replays: 1 });
      expect(await store().get(key, NOW + 35)).to.deep.equal(replayed.record);
      expect(again).to.deep.equal({ replayed: false, record: replayed.record });
    });

    it('finds live PARKED records by category, and records with events undelivered since before a time', async () => {
      const other = uniqueName('order#outbox-other');
      await store().claim(aClaim());
      await store().fail(key, 'owner-a', PERMANENT, true, NOW + 10, undefined, { events: [anEntry('f', 'OrderFailed', NOW + 10)] });
      await store().claim(aClaim({ key: other }));
      await store().complete(other, 'owner-a', NOW + 10, { totalMinor: 1 }, [anEntry('p', 'OrderProcessed', NOW + 10)]);

      const parked = await store().find({ parked: { category: 'PERMANENT' }, limit: 100 }, NOW + 20);
      const transient = await store().find({ parked: { category: 'TRANSIENT' }, limit: 100 }, NOW + 20);
      const pending = await store().find({ pendingEventsBefore: NOW + 11, limit: 100 }, NOW + 20);
      const tooRecent = await store().find({ pendingEventsBefore: NOW + 10, limit: 100 }, NOW + 20);

      expect(parked.map((record) => record.key))
        .to.include(key)
        .and.not.include(other);
      expect(transient.map((record) => record.key)).to.not.include(key);
      expect(pending.map((record) => record.key)).to.include.members([key, other]);
      expect(tooRecent.map((record) => record.key)).to.not.include.members([key]);
    });

    it('finds records by the commit time of their oldest undelivered event, whatever changed since, until nothing is owed', async () => {
      await store().claim(aClaim());
      await store().fail(key, 'owner-a', { category: 'TRANSIENT', code: 'T' }, false, NOW + 10, undefined, {
        events: [anEntry('old', 'OrderFailed', NOW + 10)],
      });
      // Claimed again and completed much later: the record changed, but it has owed 'old' since NOW + 10.
      await store().claim(aClaim({ ownerToken: 'owner-b', now: NOW + 1_000 }));
      const done = await store().complete(key, 'owner-b', NOW + 1_010, { totalMinor: 1 }, [anEntry('new', 'OrderProcessed', NOW + 1_010)]);
      const owing = async (before: number): Promise<string[]> =>
        (await store().find({ pendingEventsBefore: before, limit: 100 }, NOW + 2_000)).map((record) => record.key);

      expect(await owing(NOW + 11), 'owing since its oldest undelivered entry').to.deep.equal([key]);
      expect(await owing(NOW + 10)).to.deep.equal([]);
      const first = await store().markDelivered(done, ['old'], NOW + 1_500);
      expect(await owing(NOW + 11), 'the delivered entry no longer counts').to.deep.equal([]);
      expect(await owing(NOW + 1_011), 'owing since the next undelivered one').to.deep.equal([key]);
      await store().markDelivered(first!, ['new'], NOW + 1_600);
      expect(await owing(NOW + 1_999), 'nothing owed: out of the look-up').to.deep.equal([]);
      expect(
        await store().find({ pendingEventsBefore: NOW + 1_011, limit: 100 }, NOW + 3_600_000 * 2),
        'an expired record is absent',
      ).to.deep.equal([]);
    });

    it('answers at most `limit` owing records, and fewer only when no other record owes events', async () => {
      const keys = Array.from({ length: 12 }, (_, index) => uniqueName(`order#owing-${index}`));
      for (const [index, owingKey] of keys.entries()) {
        await store().claim(aClaim({ key: owingKey }));
        await store().complete(owingKey, 'owner-a', NOW + 10 + index, { totalMinor: 1 }, [
          anEntry(`e-${index}`, 'OrderProcessed', NOW + 10 + index),
        ]);
      }
      const delivered = await store().get(keys[0]!, NOW + 100);
      await store().markDelivered(delivered!, ['e-0'], NOW + 100);

      const some = await store().find({ pendingEventsBefore: NOW + 1_000, limit: 5 }, NOW + 200);
      const all = await store().find({ pendingEventsBefore: NOW + 1_000, limit: 100 }, NOW + 200);
      const exact = await store().find({ pendingEventsBefore: NOW + 1_000, limit: 11 }, NOW + 200);

      expect(some).to.have.length(5);
      expect(some.every((record) => keys.slice(1).includes(record.key))).to.equal(true);
      expect(all.map((record) => record.key)).to.have.members(keys.slice(1));
      expect(exact.map((record) => record.key)).to.have.members(keys.slice(1));
      const scanned = await store().find({ pendingEventsBefore: NOW + 1_000, limit: 100, scan: true }, NOW + 200);
      expect(
        scanned.map((record) => record.key),
        'the same answer from a scan',
      ).to.have.members(keys.slice(1));
      expect(
        await store().find({ pendingEventsBefore: NOW + 15, limit: 100, scan: true }, NOW + 200),
        'owing since before, by scan too',
      ).to.have.length(4);
    });

    it("streams every write of a key in order, as INSERT then MODIFY, each with the item's new image", async () => {
      await store().claim(aClaim());
      await store().complete(key, 'owner-a', NOW + 10, { totalMinor: 4_498 }, [anEntry('e-1')]);
      const done = await store().get(key, NOW + 20);
      await store().markDelivered(done!, ['e-1'], NOW + 30);

      const records = await recordsOf(subject().stream, key, 3);

      expect(records.map((record) => record.eventName)).to.deep.equal(['INSERT', 'MODIFY', 'MODIFY']);
      const sequence = records.map((record) => BigInt(record.dynamodb.SequenceNumber));
      expect(sequence[0]! < sequence[1]! && sequence[1]! < sequence[2]!, 'sequence numbers grow per key').to.equal(true);
      expect(records.map((record) => toRecord(record.dynamodb.NewImage ?? {}).status)).to.deep.equal([
        'INFLIGHT',
        'SUCCEEDED',
        'SUCCEEDED',
      ]);
      expect(toRecord(records[1]!.dynamodb.NewImage!)).to.deep.equal(done);
      expect(records.map(passesOutboxFilter), 'only the image with undelivered events passes the pipe filter').to.deep.equal([
        false,
        true,
        false,
      ]);
      expect(records[1]!.dynamodb.NewImage?.[OUTBOX_PENDING_ATTRIBUTE]).to.deep.equal({ BOOL: true });
      // The sparse index' keys, written with the events and removed with the last delivery mark.
      expect(records[1]!.dynamodb.NewImage?.[OUTBOX_PENDING_SINCE_ATTRIBUTE]).to.deep.equal({ N: String(NOW) });
      expect(records[1]!.dynamodb.NewImage?.[OUTBOX_PENDING_SHARD_ATTRIBUTE]).to.deep.equal({ N: String(outboxPendingShard(key)) });
      for (const attribute of [OUTBOX_PENDING_ATTRIBUTE, OUTBOX_PENDING_SINCE_ATTRIBUTE, OUTBOX_PENDING_SHARD_ATTRIBUTE]) {
        expect(records[2]!.dynamodb.NewImage, `${attribute} once nothing is owed`).to.not.have.property(attribute);
      }
      for (const record of records) {
        expect(record).to.include({ eventSource: 'aws:dynamodb', eventVersion: record.eventVersion });
        expect(record.dynamodb).to.include({ StreamViewType: 'NEW_IMAGE' });
        expect(record.dynamodb.Keys).to.deep.equal({ pk: { S: key } });
        expect(record.dynamodb.ApproximateCreationDateTime)
          .to.be.a('number')
          .within(Date.now() / 1000 - 600, Date.now() / 1000 + 600);
      }
    });
  });
}
