import { expect } from 'chai';
import { loadConfig } from '../../application/config/pipeline-config.js';
import { ValidateOrder } from '../../application/use-cases/validate-order.js';
import { OrderMother } from '../domain/order-mother.js';

function validator(env: Record<string, string> = {}): ValidateOrder {
  return new ValidateOrder(loadConfig({ PIPELINE_BACKEND: 'memory', ALLOW_FAILURE_SIMULATION: 'true', ...env }));
}

describe('Class: ValidateOrder', () => {
  describe('Method: execute', () => {
    it('returns the order and its totals, with the configured tax rate', () => {
      // Act
      const result = validator({ TAX_RATE_BASIS_POINTS: '2000' }).execute({ body: OrderMother.valid() });

      // Assess
      expect(result.ok).to.equal(true);
      if (!result.ok) return;
      expect(result.order).to.deep.equal(OrderMother.valid());
      expect(result.priced).to.deep.include({ subtotalMinor: 4_498, taxMinor: 900, totalMinor: 5_398 });
    });

    it('reports every business-rule violation at once, with field paths', () => {
      // Prepare: a duplicate SKU, a currency this deployment does not take, a total above its maximum
      const order = OrderMother.valid({
        currency: 'USD',
        lines: [
          { sku: 'SKU-A', quantity: 10, unitPriceMinor: 10_000 },
          { sku: 'SKU-A', quantity: 1, unitPriceMinor: 1 },
        ],
      });

      // Act
      const result = validator({ SUPPORTED_CURRENCIES: 'EUR', MAX_ORDER_TOTAL_MINOR: '50000' }).execute({ body: order });

      // Assess
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.violations.map((v) => [v.path, v.code])).to.deep.equal([
        ['currency', 'ORDER.CURRENCY_NOT_SUPPORTED'],
        ['lines[1].sku', 'ORDER.DUPLICATE_SKU'],
        ['lines', 'ORDER.TOTAL_ABOVE_MAXIMUM'],
      ]);
    });

    it('reports every schema violation at once, with field paths', () => {
      // Prepare
      const body = {
        orderId: 42,
        currency: 'eur',
        lines: [
          { sku: 'SKU-1', quantity: 0, unitPriceMinor: 1.5 },
          { sku: '', quantity: '2', unitPriceMinor: 100, colour: 'red' },
        ],
        coupon: 'FREE',
      };

      // Act
      const result = validator().execute({ body });

      // Assess
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      const paths = new Set(result.violations.map((v) => v.path));
      expect([...paths]).to.include.members([
        'orderId',
        'customerId',
        'currency',
        'lines[0].quantity',
        'lines[0].unitPriceMinor',
        'lines[1].sku',
        'lines[1].quantity',
        'lines[1].colour',
        'coupon',
      ]);
      expect(result.violations.filter((v) => v.code === 'BODY.UNKNOWN_FIELD').map((v) => v.path)).to.have.members([
        'coupon',
        'lines[1].colour',
      ]);
    });

    for (const body of [[OrderMother.valid()], 'an order', 42, null, true]) {
      it(`refuses a body that is not an object (${JSON.stringify(body)?.slice(0, 20)})`, () => {
        const result = validator().execute({ body });

        expect(result).to.deep.equal({
          ok: false,
          violations: [{ path: '', code: 'BODY.NOT_AN_OBJECT', message: 'body must be a JSON object' }],
        });
      });
    }

    it('refuses __proto__ and constructor keys at any depth without polluting any prototype', () => {
      // Prepare: as JSON.parse builds them, own properties named __proto__
      const body: unknown = JSON.parse(
        '{"orderId":"o-1","customerId":"c-1","currency":"EUR","__proto__":{"polluted":true},' +
          '"lines":[{"sku":"S","quantity":1,"unitPriceMinor":1,"constructor":{"prototype":{"polluted":true}}}]}',
      );

      // Act
      const result = validator().execute({ body });

      // Assess
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.violations.map((v) => [v.path, v.code])).to.deep.equal([
        ['__proto__', 'BODY.FORBIDDEN_KEY'],
        ['lines[0].constructor', 'BODY.FORBIDDEN_KEY'],
      ]);
      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it('fails a well-formed order on request when failure simulation is enabled', () => {
      const result = validator().execute({ body: OrderMother.valid(), simulation: { kind: 'validation', times: 1 } });

      expect(result).to.deep.equal({
        ok: false,
        violations: [{ path: '', code: 'SIMULATED.VALIDATION', message: 'simulated validation failure' }],
      });
    });

    it('refuses a failure simulation when configuration disables it', () => {
      // Act
      const result = validator({ ALLOW_FAILURE_SIMULATION: 'false' }).execute({
        body: OrderMother.valid(),
        simulation: { kind: 'transient', times: 2 },
      });

      // Assess
      expect(result.ok).to.equal(false);
      if (result.ok) return;
      expect(result.violations.map((v) => v.code)).to.deep.equal(['SIMULATION.DISABLED']);
    });
  });
});
