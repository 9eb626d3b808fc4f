import { expect } from 'chai';
import fc from 'fast-check';
import {
  EVENTBRIDGE_BATCH_LIMITS,
  SEED_MAX_PAYLOAD_BYTES,
  SQS_BATCH_LIMITS,
  SQS_MAX_BATCH_ENTRIES,
  SQS_MAX_PAYLOAD_BYTES,
  calculateOptimalBatchSize,
  eventBridgeEntrySizeBytes,
  packBatches,
  sqsMessageSizeBytes,
  type PackLimits,
} from '../../domain/batch-packing.js';
import { ValidationError } from '../../domain/errors.js';

interface Item {
  readonly id: number;
  readonly size: number;
}

const sizeOf = (item: Item): number => item.size;
const sum = (items: readonly Item[]): number => items.reduce((total, item) => total + item.size, 0);

const limitsArb: fc.Arbitrary<PackLimits> = fc.record({
  maxEntries: fc.integer({ min: 1, max: 12 }),
  maxBytes: fc.integer({ min: 0, max: 2_000 }),
});
const itemsArb = (maxSize: number): fc.Arbitrary<Item[]> =>
  fc.array(fc.integer({ min: 0, max: maxSize }), { maxLength: 80 }).map((sizes) => sizes.map((size, id) => ({ id, size })));

describe('Module: batch-packing', () => {
  describe('Constants', () => {
    it("use the current SQS limits: 10 entries and 1 MiB (no longer the seed's 256 KiB)", () => {
      expect(SQS_MAX_BATCH_ENTRIES).to.equal(10);
      expect(SQS_MAX_PAYLOAD_BYTES).to.equal(1024 * 1024);
      expect(SEED_MAX_PAYLOAD_BYTES).to.equal(256 * 1024);
      expect(SQS_BATCH_LIMITS).to.deep.equal({ maxEntries: 10, maxBytes: 1_048_576 });
      expect(EVENTBRIDGE_BATCH_LIMITS).to.deep.equal({ maxEntries: 10, maxBytes: 1_048_576 });
    });
  });

  describe('Function: calculateOptimalBatchSize', () => {
    it('fits as many average messages as the byte limit allows, at most 10', () => {
      expect(calculateOptimalBatchSize(1_024)).to.equal(10);
      expect(calculateOptimalBatchSize(200 * 1024)).to.equal(5);
      expect(calculateOptimalBatchSize(600 * 1024)).to.equal(1);
    });

    it("reproduces the seed when given the seed's 256 KiB limit", () => {
      expect(calculateOptimalBatchSize(50 * 1024, 10, SEED_MAX_PAYLOAD_BYTES)).to.equal(5);
      expect(calculateOptimalBatchSize(300 * 1024, 10, SEED_MAX_PAYLOAD_BYTES)).to.equal(1);
    });

    it('returns the maximum batch size for a zero, negative or non-finite average', () => {
      for (const average of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(calculateOptimalBatchSize(average, 7), String(average)).to.equal(7);
      }
    });

    it('always returns between 1 and maxBatchSize, and a batch of that many averages fits unless one alone does not', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 1, max: 10_000 }), (average, maxBatchSize) => {
          const size = calculateOptimalBatchSize(average, maxBatchSize);
          expect(size).to.be.within(1, maxBatchSize);
          if (average <= SQS_MAX_PAYLOAD_BYTES) expect(size * average).to.be.at.most(SQS_MAX_PAYLOAD_BYTES);
        }),
      );
    });
  });

  describe('Function: sqsMessageSizeBytes', () => {
    it('counts the UTF-8 bytes of the body', () => {
      expect(sqsMessageSizeBytes('abc', {})).to.equal(3);
      expect(sqsMessageSizeBytes('€', {})).to.equal(3);
      expect(sqsMessageSizeBytes('😀', {})).to.equal(4);
    });

    it('adds each attribute\'s name, data type "String" and value', () => {
      // Prepare: 'orderId' (7) + 'String' (6) + 'o-1' (3)
      const attributes = { orderId: 'o-1', correlationId: 'ü' };
      // Act
      const size = sqsMessageSizeBytes('{}', attributes);
      // Assess: body 2 + 16 + 'correlationId' (13) + 6 + 'ü' (2)
      expect(size).to.equal(2 + 16 + 21);
    });

    it('equals the encoded length of body and attributes for any text', () => {
      fc.assert(
        fc.property(
          fc.string({ unit: 'grapheme' }),
          fc.dictionary(fc.string({ minLength: 1 }), fc.string({ unit: 'binary' })),
          (body, attributes) => {
            const encoded = (text: string): number => Buffer.byteLength(text, 'utf8');
            const expected = encoded(body) + Object.entries(attributes).reduce((total, [k, v]) => total + encoded(k) + 6 + encoded(v), 0);
            expect(sqsMessageSizeBytes(body, attributes)).to.equal(expected);
          },
        ),
      );
    });
  });

  describe('Function: eventBridgeEntrySizeBytes', () => {
    it('adds 14 bytes for Time and the UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
      const entry = { source: 'orders', detailType: 'OrderProcessed', detail: '{"a":"é"}', resources: ['arn:x'], hasTime: true };
      expect(eventBridgeEntrySizeBytes(entry)).to.equal(14 + 6 + 14 + 10 + 5);
      expect(eventBridgeEntrySizeBytes({ ...entry, hasTime: false, resources: [] })).to.equal(6 + 14 + 10);
    });
  });

  describe('Function: packBatches', () => {
    it('packs items greedily into batches of at most maxEntries', () => {
      // Prepare
      const items = Array.from({ length: 23 }, (_, id) => ({ id, size: 100 }));
      // Act
      const { batches, oversized } = packBatches(items, sizeOf, SQS_BATCH_LIMITS);
      // Assess
      expect(batches.map((batch) => batch.length)).to.deep.equal([10, 10, 3]);
      expect(oversized).to.deep.equal([]);
    });

    it('starts a new batch when the next item would exceed maxBytes', () => {
      const items = [600, 400, 1, 999, 1_000].map((size, id) => ({ id, size }));
      const { batches } = packBatches(items, sizeOf, { maxEntries: 10, maxBytes: 1_000 });
      expect(batches.map((batch) => batch.map((item) => item.size))).to.deep.equal([[600, 400], [1, 999], [1_000]]);
    });

    it('sets aside an item bigger than maxBytes on its own, keeping the rest in order', () => {
      const items = [10, 2_000, 20, 1_001].map((size, id) => ({ id, size }));
      const { batches, oversized } = packBatches(items, sizeOf, { maxEntries: 10, maxBytes: 1_000 });
      expect(batches.map((batch) => batch.map((item) => item.id))).to.deep.equal([[0, 2]]);
      expect(oversized.map((item) => item.id)).to.deep.equal([1, 3]);
    });

    it('returns no batch for no items', () => {
      expect(packBatches([], sizeOf, SQS_BATCH_LIMITS)).to.deep.equal({ batches: [], oversized: [] });
    });

    it('keeps every batch within both limits and never returns an empty batch', () => {
      fc.assert(
        fc.property(itemsArb(2_500), limitsArb, (items, limits) => {
          const { batches } = packBatches(items, sizeOf, limits);
          for (const batch of batches) {
            expect(batch.length).to.be.within(1, limits.maxEntries);
            expect(sum(batch)).to.be.at.most(limits.maxBytes);
          }
        }),
      );
    });

    it('places every item exactly once, in input order, and only oversized items outside the batches', () => {
      fc.assert(
        fc.property(itemsArb(2_500), limitsArb, (items, limits) => {
          const { batches, oversized } = packBatches(items, sizeOf, limits);
          expect(batches.flat()).to.deep.equal(items.filter((item) => item.size <= limits.maxBytes));
          expect(oversized).to.deep.equal(items.filter((item) => item.size > limits.maxBytes));
        }),
      );
    });

    it('starts a new batch only when the next item would not fit in the current one', () => {
      fc.assert(
        fc.property(itemsArb(2_500), limitsArb, (items, limits) => {
          const { batches } = packBatches(items, sizeOf, limits);
          for (let i = 0; i + 1 < batches.length; i += 1) {
            const current = batches[i] ?? [];
            const next = batches[i + 1]?.[0];
            const full = current.length === limits.maxEntries;
            const wouldOverflow = next !== undefined && sum(current) + next.size > limits.maxBytes;
            expect(full || wouldOverflow, `batch ${i} was closed early`).to.equal(true);
          }
        }),
      );
    });

    it('uses the optimal number of batches for equally sized items', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 1_000 }), limitsArb, (count, size, limits) => {
          fc.pre(size <= limits.maxBytes);
          const items = Array.from({ length: count }, (_, id) => ({ id, size }));
          const perBatch = Math.min(limits.maxEntries, Math.floor(limits.maxBytes / size));
          expect(packBatches(items, sizeOf, limits).batches).to.have.length(Math.ceil(count / perBatch));
        }),
      );
    });

    it('needs at most twice the byte lower bound, plus the entry bound', () => {
      fc.assert(
        fc.property(
          itemsArb(1_000),
          fc.integer({ min: 1_000, max: 3_000 }),
          fc.integer({ min: 1, max: 12 }),
          (items, maxBytes, maxEntries) => {
            const { batches } = packBatches(items, sizeOf, { maxEntries, maxBytes });
            const byBytes = Math.ceil(sum(items) / maxBytes);
            const byEntries = Math.ceil(items.length / maxEntries);
            expect(batches.length).to.be.at.least(Math.max(byBytes, byEntries));
            expect(batches.length).to.be.at.most(2 * byBytes + byEntries);
          },
        ),
      );
    });

    it('packs real SQS messages measured with sqsMessageSizeBytes under the 1 MiB limit', () => {
      // Prepare: 12 messages of ~300 KiB, so at most 3 per batch
      const messages = Array.from({ length: 12 }, (_, i) => ({ body: 'x'.repeat(300 * 1024), attributes: { orderId: `o-${i}` } }));
      // Act
      const { batches } = packBatches(messages, (m) => sqsMessageSizeBytes(m.body, m.attributes), SQS_BATCH_LIMITS);
      // Assess
      expect(batches.map((batch) => batch.length)).to.deep.equal([3, 3, 3, 3]);
    });

    it('throws for limits that cannot be met and for sizes that are not sizes', () => {
      expect(() => packBatches([{ id: 0, size: 1 }], sizeOf, { maxEntries: 0, maxBytes: 10 }))
        .to.throw(ValidationError)
        .with.property('code', 'BATCH.INVALID_LIMITS');
      expect(() => packBatches([{ id: 0, size: 1 }], sizeOf, { maxEntries: 10, maxBytes: Number.NaN }))
        .to.throw(ValidationError)
        .with.property('code', 'BATCH.INVALID_LIMITS');
      for (const size of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => packBatches([{ id: 0, size }], sizeOf, SQS_BATCH_LIMITS))
          .to.throw(ValidationError)
          .with.property('code', 'BATCH.INVALID_SIZE');
      }
    });
  });
});
