import { expect } from 'chai';
import { attributeValueSize, indexWriteUnits, itemSize, readUnits, writeUnits } from '../../bench/dynamodb-capacity.js';

describe('The cost bench sizes items as DynamoDB does', () => {
  describe('Function: itemSize', () => {
    it('counts attribute names and UTF-8 bytes of strings', () => {
      expect(itemSize({ pk: { S: 'abc' } })).to.equal(2 + 3);
      expect(itemSize({ name: { S: 'é' } })).to.equal(4 + 2);
    });

    it('counts about one byte per two significant digits of a number, plus one, leading and trailing zeros trimmed', () => {
      expect(attributeValueSize({ N: '7' })).to.equal(2);
      expect(attributeValueSize({ N: '1234' })).to.equal(3);
      expect(attributeValueSize({ N: '12345' })).to.equal(4);
      expect(attributeValueSize({ N: '1000' })).to.equal(2);
      expect(attributeValueSize({ N: '-0.0012' })).to.equal(2);
    });

    it('counts one byte for a boolean or a null, and 3 bytes per list or map plus one per element', () => {
      expect(attributeValueSize({ BOOL: true })).to.equal(1);
      expect(attributeValueSize({ NULL: true })).to.equal(1);
      expect(attributeValueSize({ L: [] })).to.equal(3);
      expect(attributeValueSize({ L: [{ S: 'ab' }, { BOOL: false }] })).to.equal(3 + (1 + 2) + (1 + 1));
      expect(attributeValueSize({ M: { ab: { S: 'xyz' } } })).to.equal(3 + 1 + 2 + 3);
    });
  });

  describe('Function: writeUnits', () => {
    it('bills the larger of the item before and after, per started KB, at least one', () => {
      const small = { pk: { S: 'k' } };
      const big = { pk: { S: 'k' }, blob: { S: 'x'.repeat(2_500) } };
      expect(writeUnits(undefined, small, false)).to.equal(1);
      expect(writeUnits(small, big, false)).to.equal(3);
      expect(writeUnits(big, small, false)).to.equal(3);
      expect(writeUnits(big, undefined, false)).to.equal(3);
    });

    it('bills a failed condition by the existing item, at least one', () => {
      const big = { pk: { S: 'k' }, blob: { S: 'x'.repeat(1_500) } };
      expect(writeUnits(big, undefined, true)).to.equal(2);
      expect(writeUnits(undefined, undefined, true)).to.equal(1);
    });
  });

  describe('Function: readUnits', () => {
    it('bills per started 4 KB, half for an eventually consistent read', () => {
      expect(readUnits(0, true)).to.equal(1);
      expect(readUnits(4_097, true)).to.equal(2);
      expect(readUnits(100, false)).to.equal(0.5);
    });
  });

  describe('Function: indexWriteUnits', () => {
    const shape = { keys: ['pk'], indexes: [['shard', 'since']] };

    it('bills one write when an entry appears or disappears, two when its keys change, none when they stay', () => {
      const without = { pk: { S: 'k' } };
      const owing = { pk: { S: 'k' }, shard: { N: '1' }, since: { N: '100' } };
      const later = { pk: { S: 'k' }, shard: { N: '1' }, since: { N: '200' } };
      expect(indexWriteUnits(shape, without, owing)).to.equal(1);
      expect(indexWriteUnits(shape, owing, without)).to.equal(1);
      expect(indexWriteUnits(shape, owing, later)).to.equal(2);
      expect(indexWriteUnits(shape, owing, { ...owing, other: { S: 'x' } })).to.equal(0);
    });
  });
});
