import { expect } from 'chai';
import { integerBetween, matching, queryViolations } from '../../handlers/http/query.js';

const LIMIT = integerBetween('limit', 1, 1_000);
const TYPE = matching('type', /^[A-Za-z]+$/, 'letters only');

describe('Module: query', () => {
  describe('Function: queryViolations', () => {
    it('accepts no query at all, and the parameters a route takes with good values', () => {
      expect(queryViolations(undefined)).to.deep.equal([]);
      expect(queryViolations('', [LIMIT])).to.deep.equal([]);
      expect(queryViolations('limit=1&type=OrderProcessed', [LIMIT, TYPE])).to.deep.equal([]);
      expect(queryViolations('limit=1000', [LIMIT])).to.deep.equal([]);
    });

    for (const value of ['-1', '0', 'abc', '', '1.5', '1e3', '1001', ' 5', '0x10', '99999999999999999999']) {
      it(`refuses limit=${value} with the reason`, () => {
        expect(queryViolations(`limit=${encodeURIComponent(value)}`, [LIMIT])).to.deep.equal([
          { path: 'query.limit', code: 'QUERY.INVALID', message: 'limit must be a whole number from 1 to 1000' },
        ]);
      });
    }

    it('reports every bad parameter at once: unknown, repeated, refused', () => {
      const violations = queryViolations('colour=red&limit=2&limit=3&type=a%20b', [LIMIT, TYPE]);

      expect(violations.map((v) => [v.path, v.code])).to.deep.equal([
        ['query.colour', 'QUERY.UNKNOWN_PARAMETER'],
        ['query.limit', 'QUERY.INVALID'],
        ['query.type', 'QUERY.INVALID'],
      ]);
      expect(violations[0]?.message).to.equal('unknown query parameter; accepted: limit, type');
      expect(violations[1]?.message).to.equal('limit is given more than once');
    });

    it('says a route takes no parameter when it takes none', () => {
      expect(queryViolations('verbose', [])).to.deep.equal([
        { path: 'query.verbose', code: 'QUERY.UNKNOWN_PARAMETER', message: 'this route takes no query parameter' },
      ]);
    });
  });
});
