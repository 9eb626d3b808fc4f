import { expect } from 'chai';
import fc from 'fast-check';
import { applyRateHalfEven } from '../../domain/money.js';
import { ORDER_VIOLATION_CODES as CODES, checkOrderRules, evaluateOrder, priceOrder, type OrderRules } from '../../domain/order.js';
import { OrderMother } from './order-mother.js';
import { rules } from './order.fixtures.js';

describe('Module: order', () => {
  describe('Function: priceOrder', () => {
    it('prices each line, the subtotal, the tax and the total', () => {
      // Prepare: 2 × 19.99 + 1 × 5.00 = 44.98; 19% tax = 8.5462 → 8.55
      const taxed: OrderRules = { ...rules, taxRateBasisPoints: 1_900 };
      // Act
      const priced = priceOrder(OrderMother.valid(), taxed);
      // Assess
      expect(priced.lines.map((line) => line.lineTotalMinor)).to.deep.equal([3_998, 500]);
      expect(priced.subtotalMinor).to.equal(4_498);
      expect(priced.taxMinor).to.equal(855);
      expect(priced.totalMinor).to.equal(5_353);
      expect(priced.orderId).to.equal('order-0001');
      expect(priced.currency).to.equal('EUR');
    });

    it('rounds tax ties to even', () => {
      // 25 × 10% = 2.5 → 2;  35 × 10% = 3.5 → 4
      const tenPercent: OrderRules = { ...rules, taxRateBasisPoints: 1_000 };
      expect(priceOrder(OrderMother.withLine({ quantity: 1, unitPriceMinor: 25 }), tenPercent).taxMinor).to.equal(2);
      expect(priceOrder(OrderMother.withLine({ quantity: 1, unitPriceMinor: 35 }), tenPercent).taxMinor).to.equal(4);
    });

    it('keeps the totals consistent for any valid order and tax rate', () => {
      fc.assert(
        fc.property(OrderMother.arbitrary(), fc.integer({ min: 0, max: 10_000 }), (order, taxRateBasisPoints) => {
          const priced = priceOrder(order, { ...rules, taxRateBasisPoints });
          priced.lines.forEach((line, i) => {
            const source = order.lines[i];
            expect(line).to.include({ sku: source?.sku, quantity: source?.quantity, unitPriceMinor: source?.unitPriceMinor });
            expect(line.lineTotalMinor).to.equal(line.quantity * line.unitPriceMinor);
          });
          expect(priced.subtotalMinor).to.equal(priced.lines.reduce((sum, line) => sum + line.lineTotalMinor, 0));
          expect(priced.taxMinor).to.equal(applyRateHalfEven(priced.subtotalMinor, taxRateBasisPoints));
          expect(priced.totalMinor).to.equal(priced.subtotalMinor + priced.taxMinor);
          expect(priced.taxMinor).to.be.at.least(0);
        }),
      );
    });
  });

  describe('Function: evaluateOrder', () => {
    it('returns the priced order when the order is valid', () => {
      const order = OrderMother.valid();
      expect(evaluateOrder(order, rules)).to.deep.equal({ ok: true, priced: priceOrder(order, rules) });
    });

    it('returns the violations, as a value, when the order is invalid', () => {
      const order = OrderMother.withDuplicateSku();
      expect(evaluateOrder(order, rules)).to.deep.equal({ ok: false, violations: checkOrderRules(order, rules) });
    });

    it('never accepts an order whose total exceeds the maximum, whatever the tax', () => {
      fc.assert(
        fc.property(
          OrderMother.arbitrary(),
          fc.integer({ min: 0, max: 100_000_000 }),
          fc.integer({ min: 0, max: 50_000 }),
          (order, maxTotalMinor, taxRateBasisPoints) => {
            const evaluation = evaluateOrder(order, { ...rules, maxTotalMinor, taxRateBasisPoints });
            if (evaluation.ok) {
              expect(evaluation.priced.totalMinor).to.be.at.most(maxTotalMinor);
            } else {
              expect(evaluation.violations.map((v) => v.code)).to.deep.equal([CODES.totalAboveMaximum]);
            }
          },
        ),
      );
    });
  });
});
