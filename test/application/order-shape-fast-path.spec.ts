import { expect } from 'chai';
import fc from 'fast-check';
import { parseOrderMessage, SCHEMA_VERSION } from '../../application/orders/order-message.js';
import { certainlyValidOrder } from '../../application/orders/order-shape-fast-path.js';
import { parseOrderShape } from '../../application/orders/order-schema.js';
import { OrderMother } from '../domain/order-mother.js';

/** Values a tampered message may carry in place of a field. */
const oddValue = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    ' ',
    'x'.repeat(65),
    'a b',
    'éé',
    'EURO',
    'eur',
    -1,
    0,
    1.5,
    10_001,
    1e12,
    Number.NaN,
    Infinity,
    true,
    [],
    {},
    '1',
    '__proto__',
  ),
  fc.string({ maxLength: 70 }),
  fc.integer(),
  fc.double(),
);
/** Names of Object.prototype's members: class-transformer drops such keys, so the class-validator path once let them through. */
const prototypeMember = fc.constantFrom(...Object.getOwnPropertyNames(Object.prototype));
const fieldName = fc.oneof(
  fc.constantFrom('orderId', 'customerId', 'currency', 'lines', 'extra', '__proto__', 'constructor', '0'),
  prototypeMember,
);
const lineFieldName = fc.oneof(fc.constantFrom('sku', 'quantity', 'unitPriceMinor', 'extra', '__proto__', '0'), prototypeMember);

/** A valid order with some of its fields (or its lines' fields) replaced, removed or added. */
const tamperedOrder = fc
  .tuple(
    OrderMother.arbitrary(),
    fc.array(fc.tuple(fieldName, oddValue, fc.boolean()), { maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), lineFieldName, oddValue, fc.boolean()), { maxLength: 3 }),
  )
  .map(([order, fields, lineFields]) => {
    // Through JSON, as a queued body arrives: `__proto__` becomes an own key, undefined disappears.
    const tampered = JSON.parse(JSON.stringify(order)) as Record<string, unknown> & { lines: Record<string, unknown>[] };
    for (const [name, value, remove] of fields) {
      if (remove) delete tampered[name];
      else Object.defineProperty(tampered, name, { value, enumerable: true, configurable: true, writable: true });
    }
    for (const [index, name, value, remove] of lineFields) {
      const line = Array.isArray(tampered.lines) ? tampered.lines[index % Math.max(1, tampered.lines.length)] : undefined;
      if (typeof line !== 'object' || line === null) continue;
      if (remove) delete line[name];
      else Object.defineProperty(line, name, { value, enumerable: true, configurable: true, writable: true });
    }
    return JSON.parse(JSON.stringify(tampered)) as unknown;
  });

describe('Module: order-shape-fast-path', () => {
  describe('Function: certainlyValidOrder', () => {
    it('agrees with class-validator on generated orders: accepts what it accepts, with the same order, and nothing else', () => {
      fc.assert(
        fc.property(OrderMother.arbitrary(), (order) => {
          const plain = JSON.parse(JSON.stringify(order)) as unknown;
          const full = parseOrderShape(plain);
          expect(certainlyValidOrder(plain)).to.deep.equal(full.ok ? full.order : undefined);
        }),
        { numRuns: 200 },
      );
    });

    it('accepts the valid orders the Object Mother builds', () => {
      for (const order of [OrderMother.valid(), OrderMother.withLines(100), OrderMother.withLine({ unitPriceMinor: 0 })]) {
        expect(certainlyValidOrder(JSON.parse(JSON.stringify(order)))).to.deep.equal(order);
      }
    });

    it('never accepts what class-validator rejects, and gives the same order when it accepts (tampered orders)', () => {
      fc.assert(
        fc.property(tamperedOrder, (input) => {
          const certain = certainlyValidOrder(input);
          if (certain === undefined) return;
          const full = parseOrderShape(input);
          expect(full.ok, JSON.stringify(input)).to.equal(true);
          expect(certain).to.deep.equal(full.ok ? full.order : undefined);
        }),
        { numRuns: 2_000 },
      );
    });

    it('leaves non-objects, prototypes keys and unknown fields to class-validator', () => {
      for (const input of [
        null,
        'order',
        [],
        JSON.parse('{"__proto__":{"x":1}}'),
        { ...OrderMother.valid(), extra: 1 },
        Object.create(null),
      ]) {
        expect(certainlyValidOrder(input)).to.equal(undefined);
      }
    });
  });

  describe('Function: parseOrderMessage', () => {
    it('rejects a tampered order exactly as the class-validator path does, violations included', () => {
      fc.assert(
        fc.property(tamperedOrder, (order) => {
          const body = JSON.stringify({ schemaVersion: SCHEMA_VERSION, order, payloadHash: 'hash-1', acceptedAt: 1 });
          const parsed = parseOrderMessage({ messageId: 'm-1', body, attributes: { idempotencyKey: 'key-1' } });
          const full = parseOrderShape((JSON.parse(body) as { order: unknown }).order);
          expect(parsed.ok).to.equal(full.ok);
          if (!parsed.ok && !full.ok) {
            expect(parsed.violations).to.deep.equal(
              full.violations.map((v) => ({ ...v, path: v.path === '' ? 'body.order' : `body.order.${v.path}` })),
            );
          }
          if (parsed.ok && full.ok) expect(parsed.envelope.body.order).to.deep.equal(full.order);
        }),
        { numRuns: 1_000 },
      );
    });
  });
});
