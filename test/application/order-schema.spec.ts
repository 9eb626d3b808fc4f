import { expect } from 'chai';
import fc from 'fast-check';
import { parseOrderShape } from '../../application/orders/order-schema.js';
import { OrderMother } from '../domain/order-mother.js';

/** Every name Object.prototype has: the keys class-transformer used to drop without a word. */
const PROTOTYPE_MEMBERS = Object.getOwnPropertyNames(Object.prototype);
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const ORDER_KEYS = new Set(['orderId', 'customerId', 'currency', 'lines']);
const LINE_KEYS = new Set(['sku', 'quantity', 'unitPriceMinor']);

/** The documented path of a key: as it is when it is a plain identifier, else as a JSON string (so "0" is never an index). */
function keyPath(parent: string, key: string): string {
  const segment = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
  return parent === '' ? segment : `${parent}.${segment}`;
}

/** A valid order as JSON.parse gives it, with `extras` added as own keys (`__proto__` included) at the top or in one line. */
function withExtraKeys(
  order: unknown,
  extras: ReadonlyArray<readonly [string, unknown]>,
  line: number | undefined,
): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(order)) as Record<string, unknown> & { lines: Record<string, unknown>[] };
  const target = line === undefined ? plain : plain.lines[line % plain.lines.length];
  if (target === undefined) throw new Error('an order has at least one line');
  for (const [key, value] of extras) Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  // Through JSON once more, as a request body arrives: `__proto__` stays an own key.
  return JSON.parse(JSON.stringify(plain)) as Record<string, unknown>;
}

const extraKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_MEMBERS),
  fc.constantFrom('', ' ', '0', '00', '1', '-1', '1.5', 'ü', 'a.b', 'a b', '[0]', 'lines[0]', '"', 'prototype', 'orderid', 'SKU'),
  fc.string({ maxLength: 12 }),
  fc.nat({ max: 10_000 }).map(String),
);
const extraValue = fc.oneof(fc.constantFrom(null, 0, 1, '', 'x', true, [], {}), fc.jsonValue({ maxDepth: 2 }));

describe('Module: order-schema', () => {
  describe('Function: parseOrderShape', () => {
    it('refuses every key the DTO does not declare, whatever its name, at its path, top level and in lines (property)', () => {
      fc.assert(
        fc.property(
          OrderMother.arbitrary().filter((order) => parseOrderShape(JSON.parse(JSON.stringify(order))).ok),
          fc.uniqueArray(fc.tuple(extraKey, extraValue), { minLength: 1, maxLength: 4, selector: ([key]) => key }),
          fc.option(fc.nat(), { nil: undefined }),
          (order, extras, line) => {
            // Prepare: keys the level does not declare only (a declared one would replace a field, not add one)
            const declared = line === undefined ? ORDER_KEYS : LINE_KEYS;
            const added = extras.filter(([key]) => !declared.has(key));
            fc.pre(added.length > 0);
            const body = withExtraKeys(order, added, line);
            const parent = line === undefined ? '' : `lines[${line % order.lines.length}]`;

            // Act
            const result = parseOrderShape(body);

            // Assess: refused, each added key named at its exact path, and nothing reported outside them
            expect(result.ok, JSON.stringify(body)).to.equal(false);
            if (result.ok) return;
            const reported = result.violations.map((v) => `${v.path} ${v.code}`);
            const expected = added.map(
              ([key]) => `${keyPath(parent, key)} ${FORBIDDEN.has(key) ? 'BODY.FORBIDDEN_KEY' : 'BODY.UNKNOWN_FIELD'}`,
            );
            expect(reported, JSON.stringify(body)).to.include.members(expected);
            const roots = added.map(([key]) => keyPath(parent, key));
            for (const violation of result.violations) {
              expect(
                roots.some(
                  (root) => violation.path === root || violation.path.startsWith(`${root}.`) || violation.path.startsWith(`${root}[`),
                ),
                `${violation.path} ${violation.code} in ${JSON.stringify(body)}`,
              ).to.equal(true);
            }
          },
        ),
        { numRuns: 1_000 },
      );
    });

    for (const member of PROTOTYPE_MEMBERS) {
      const code = FORBIDDEN.has(member) ? 'BODY.FORBIDDEN_KEY' : 'BODY.UNKNOWN_FIELD';
      it(`refuses "${member}" as ${code}, at the top level and in a line`, () => {
        // Prepare
        const top = withExtraKeys(OrderMother.valid(), [[member, 1]], undefined);
        const inLine = withExtraKeys(OrderMother.valid(), [[member, 'x']], 1);

        // Act
        const results = [parseOrderShape(top), parseOrderShape(inLine)];

        // Assess
        expect(results.map((result) => (result.ok ? [] : result.violations.map((v) => [v.path, v.code])))).to.deep.equal([
          [[member, code]],
          [[`lines[1].${member}`, code]],
        ]);
      });
    }

    it("refuses the issue's example: a toString field is no longer dropped silently", () => {
      const body = JSON.parse(
        '{"orderId":"o-1","customerId":"c-1","currency":"EUR","lines":[{"sku":"BOOK-1","quantity":2,"unitPriceMinor":1999}],"toString":1}',
      ) as unknown;

      expect(parseOrderShape(body)).to.deep.equal({
        ok: false,
        violations: [{ path: 'toString', code: 'BODY.UNKNOWN_FIELD', message: 'unknown field "toString"' }],
      });
    });

    it('names a key made of digits as a quoted key, never as an array index', () => {
      const body = { ...OrderMother.valid(), 0: null, lines: [{ ...OrderMother.valid().lines[0], 12: 'x' }] };

      const result = parseOrderShape(JSON.parse(JSON.stringify(body)));

      expect(result.ok ? [] : result.violations.map((v) => [v.path, v.code])).to.have.deep.members([
        ['"0"', 'BODY.UNKNOWN_FIELD'],
        ['lines[0]."12"', 'BODY.UNKNOWN_FIELD'],
      ]);
    });

    it('reports a forbidden key beside every other violation, with every segment of its path', () => {
      const body = JSON.parse('{"": {"sku": {"ü": {"constructor": "x"}}}}') as unknown;

      const result = parseOrderShape(body);

      expect(result.ok).to.equal(false);
      if (result.ok) return;
      const reported = result.violations.map((v) => `${v.path} ${v.code}`);
      expect(reported).to.include.members([
        '"".sku."ü".constructor BODY.FORBIDDEN_KEY',
        '"" BODY.UNKNOWN_FIELD',
        'orderId SCHEMA.ISDEFINED',
        'lines SCHEMA.ISDEFINED',
      ]);
    });

    it('still checks the rest of a body whose forbidden keys it reports, and pollutes no prototype', () => {
      const body = JSON.parse(
        '{"__proto__":{"polluted":true},"orderId":"o 1","customerId":"c-1","currency":"EUR","lines":[{"sku":"S","quantity":0,"unitPriceMinor":1,"prototype":{},"valueOf":1}]}',
      ) as unknown;

      const result = parseOrderShape(body);

      expect(result.ok ? [] : result.violations.map((v) => [v.path, v.code])).to.have.deep.members([
        ['__proto__', 'BODY.FORBIDDEN_KEY'],
        ['lines[0].prototype', 'BODY.FORBIDDEN_KEY'],
        ['lines[0].valueOf', 'BODY.UNKNOWN_FIELD'],
        ['orderId', 'SCHEMA.MATCHES'],
        ['lines[0].quantity', 'SCHEMA.MIN'],
      ]);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('reports nesting deeper than it reads and the fields it could still check', () => {
      let deep: unknown = 1;
      for (let level = 0; level < 12; level += 1) deep = { level: deep };
      const body = { ...OrderMother.valid(), currency: 'eur', note: deep };

      const result = parseOrderShape(JSON.parse(JSON.stringify(body)));

      expect(result.ok ? [] : result.violations.map((v) => v.code)).to.have.members([
        'BODY.TOO_DEEP',
        'BODY.UNKNOWN_FIELD',
        'SCHEMA.MATCHES',
      ]);
    });
  });
});
