import { expect } from 'chai';
import fc from 'fast-check';
import { PermanentError } from '../../domain/errors.js';
import { applyRateHalfEven } from '../../domain/money.js';
import {
  DEFAULT_ORDER_RULES,
  ORDER_LIMITS,
  ORDER_VIOLATION_CODES as CODES,
  checkOrderRules,
  evaluateOrder,
  priceOrder,
  type FieldViolation,
  type OrderRules,
} from '../../domain/order.js';
import { OrderLineMother, OrderMother } from './order-mother.js';

const rules = DEFAULT_ORDER_RULES;

function pathsAndCodes(violations: readonly FieldViolation[]): string[] {
  return violations.map((v) => `${v.path} ${v.code}`);
}

describe('Module: order', () => {
  describe('Constant: DEFAULT_ORDER_RULES', () => {
    it('accepts every supported currency, caps the total at 1 000 000.00 and charges no tax', () => {
      expect(DEFAULT_ORDER_RULES.supportedCurrencies).to.include.members(['EUR', 'USD', 'JPY']);
      expect(DEFAULT_ORDER_RULES.maxTotalMinor).to.equal(100_000_000);
      expect(DEFAULT_ORDER_RULES.taxRateBasisPoints).to.equal(0);
    });
  });

  describe('Function: checkOrderRules', () => {
    it('returns no violation for a valid order', () => {
      expect(checkOrderRules(OrderMother.valid(), rules)).to.deep.equal([]);
    });

    it('returns no violation for any order built within the limits', () => {
      fc.assert(fc.property(OrderMother.arbitrary(), (order) => checkOrderRules(order, rules).length === 0));
    });

    it('reports empty or blank identifiers and SKUs with their paths', () => {
      // Prepare
      const order = OrderMother.valid({
        orderId: '',
        customerId: '   ',
        lines: [OrderLineMother.valid(), OrderLineMother.valid({ sku: '' })],
      });
      // Act
      const violations = checkOrderRules(order, rules);
      // Assess
      expect(pathsAndCodes(violations)).to.deep.equal([
        `orderId ${CODES.emptyField}`,
        `customerId ${CODES.emptyField}`,
        `lines[1].sku ${CODES.emptyField}`,
      ]);
    });

    it('accepts between 1 and 100 lines', () => {
      expect(checkOrderRules(OrderMother.withLines(ORDER_LIMITS.minLines), rules)).to.deep.equal([]);
      expect(checkOrderRules(OrderMother.withLines(ORDER_LIMITS.maxLines), rules)).to.deep.equal([]);
    });

    it('reports an order without lines', () => {
      expect(pathsAndCodes(checkOrderRules(OrderMother.withLines(0), rules))).to.deep.equal([`lines ${CODES.tooFewLines}`]);
    });

    it('reports an order with more than 100 lines', () => {
      expect(pathsAndCodes(checkOrderRules(OrderMother.withLines(ORDER_LIMITS.maxLines + 1), rules))).to.deep.equal([
        `lines ${CODES.tooManyLines}`,
      ]);
    });

    it('accepts quantities and unit prices at their limits', () => {
      const order = OrderMother.valid({
        lines: [
          OrderLineMother.numbered(0, { quantity: ORDER_LIMITS.minQuantity, unitPriceMinor: ORDER_LIMITS.minUnitPriceMinor }),
          OrderLineMother.numbered(1, { quantity: ORDER_LIMITS.maxQuantity, unitPriceMinor: 1 }),
          OrderLineMother.numbered(2, { quantity: 1, unitPriceMinor: 50_000_000 }),
        ],
      });
      expect(checkOrderRules(order, rules)).to.deep.equal([]);
    });

    it('reports quantities that are not integers or out of range, on the offending line', () => {
      // Prepare
      const order = OrderMother.valid({
        lines: [
          OrderLineMother.numbered(0),
          OrderLineMother.numbered(1, { quantity: 0 }),
          OrderLineMother.numbered(2, { quantity: ORDER_LIMITS.maxQuantity + 1 }),
          OrderLineMother.numbered(3, { quantity: 1.5 }),
          OrderLineMother.numbered(4, { quantity: Number.NaN }),
        ],
      });
      // Act
      const violations = checkOrderRules(order, { ...rules, maxTotalMinor: Number.MAX_SAFE_INTEGER });
      // Assess
      expect(pathsAndCodes(violations)).to.deep.equal([
        `lines[1].quantity ${CODES.quantityOutOfRange}`,
        `lines[2].quantity ${CODES.quantityOutOfRange}`,
        `lines[3].quantity ${CODES.quantityNotInteger}`,
        `lines[4].quantity ${CODES.quantityNotInteger}`,
      ]);
    });

    it('reports unit prices that are not integers or out of range, on the offending line', () => {
      const order = OrderMother.valid({
        lines: [
          OrderLineMother.numbered(0, { unitPriceMinor: -1 }),
          OrderLineMother.numbered(1, { unitPriceMinor: ORDER_LIMITS.maxUnitPriceMinor + 1 }),
          OrderLineMother.numbered(2, { unitPriceMinor: 19.99 }),
        ],
      });
      const violations = checkOrderRules(order, { ...rules, maxTotalMinor: Number.MAX_SAFE_INTEGER });
      expect(pathsAndCodes(violations)).to.deep.equal([
        `lines[0].unitPriceMinor ${CODES.unitPriceOutOfRange}`,
        `lines[1].unitPriceMinor ${CODES.unitPriceOutOfRange}`,
        `lines[2].unitPriceMinor ${CODES.unitPriceNotInteger}`,
      ]);
    });

    it('reports a duplicate SKU on its second occurrence', () => {
      const violations = checkOrderRules(OrderMother.withDuplicateSku('ABC'), rules);
      expect(pathsAndCodes(violations)).to.deep.equal([`lines[1].sku ${CODES.duplicateSku}`]);
      expect(violations[0]?.message).to.contain('lines[0]');
    });

    it('reports every repeat of a SKU, and treats SKUs as case-sensitive', () => {
      const order = OrderMother.valid({
        lines: [
          OrderLineMother.valid({ sku: 'A' }),
          OrderLineMother.valid({ sku: 'B' }),
          OrderLineMother.valid({ sku: 'A' }),
          OrderLineMother.valid({ sku: 'a' }),
          OrderLineMother.valid({ sku: 'A' }),
        ],
      });
      expect(pathsAndCodes(checkOrderRules(order, rules))).to.deep.equal([
        `lines[2].sku ${CODES.duplicateSku}`,
        `lines[4].sku ${CODES.duplicateSku}`,
      ]);
    });

    it('reports a currency that is not an ISO 4217 code', () => {
      for (const currency of ['XXX', 'eur', '', 'EURO']) {
        expect(pathsAndCodes(checkOrderRules(OrderMother.withCurrency(currency), rules)), currency).to.deep.equal([
          `currency ${CODES.currencyNotIso}`,
        ]);
      }
    });

    it('reports an ISO currency that the rules do not accept', () => {
      const euroOnly: OrderRules = { ...rules, supportedCurrencies: ['EUR'] };
      expect(checkOrderRules(OrderMother.withCurrency('EUR'), euroOnly)).to.deep.equal([]);
      expect(pathsAndCodes(checkOrderRules(OrderMother.withCurrency('USD'), euroOnly))).to.deep.equal([
        `currency ${CODES.currencyNotSupported}`,
      ]);
    });

    it('accepts a total equal to the maximum and reports one minor unit above it', () => {
      expect(checkOrderRules(OrderMother.atMaxTotal(rules), rules)).to.deep.equal([]);
      expect(pathsAndCodes(checkOrderRules(OrderMother.aboveMaxTotal(rules), rules))).to.deep.equal([`lines ${CODES.totalAboveMaximum}`]);
    });

    it('counts tax towards the maximum total', () => {
      // Prepare: 10% tax on exactly the maximum subtotal
      const taxed: OrderRules = { ...rules, taxRateBasisPoints: 1_000 };
      // Act
      const violations = checkOrderRules(OrderMother.atMaxTotal(rules), taxed);
      // Assess
      expect(pathsAndCodes(violations)).to.deep.equal([`lines ${CODES.totalAboveMaximum}`]);
    });

    it('reports a total that is not a safe integer instead of rounding it', () => {
      const order = OrderMother.valid({
        lines: [OrderLineMother.numbered(0, { quantity: 2 ** 40, unitPriceMinor: 2 ** 31 })],
      });
      const violations = checkOrderRules(order, { ...rules, maxTotalMinor: Number.MAX_SAFE_INTEGER });
      expect(pathsAndCodes(violations)).to.deep.equal([
        `lines[0].quantity ${CODES.quantityOutOfRange}`,
        `lines[0].unitPriceMinor ${CODES.unitPriceOutOfRange}`,
        `lines ${CODES.totalOverflow}`,
      ]);
    });

    it('reports all violations of a thoroughly broken order at once', () => {
      const order = {
        orderId: ' ',
        customerId: 'c-1',
        currency: 'ABC',
        lines: [OrderLineMother.valid({ sku: 'X', quantity: 0 }), OrderLineMother.valid({ sku: 'X', unitPriceMinor: 0.5 })],
      };
      expect(pathsAndCodes(checkOrderRules(order, rules))).to.have.members([
        `orderId ${CODES.emptyField}`,
        `currency ${CODES.currencyNotIso}`,
        `lines[0].quantity ${CODES.quantityOutOfRange}`,
        `lines[1].unitPriceMinor ${CODES.unitPriceNotInteger}`,
        `lines[1].sku ${CODES.duplicateSku}`,
      ]);
    });

    it('reports exactly the one broken quantity when a valid order gets one bad line', () => {
      fc.assert(
        fc.property(
          OrderMother.arbitrary(),
          fc.nat(),
          fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: ORDER_LIMITS.maxQuantity + 1, max: 1_000_000 })),
          (order, pick, badQuantity) => {
            // Prepare
            const index = pick % order.lines.length;
            const lines = order.lines.map((line, i) => (i === index ? { ...line, quantity: badQuantity, unitPriceMinor: 0 } : line));
            // Act
            const violations = checkOrderRules({ ...order, lines }, rules);
            // Assess
            expect(pathsAndCodes(violations)).to.deep.equal([`lines[${index}].quantity ${CODES.quantityOutOfRange}`]);
          },
        ),
      );
    });

    it('gives every violation a path, a dotted ORDER code and a message', () => {
      const order = { orderId: '', customerId: '', currency: '', lines: [] };
      const violations = checkOrderRules(order, rules);
      expect(violations).to.have.length(4);
      for (const v of violations) {
        expect(v.path).to.not.equal('');
        expect(v.code).to.match(/^ORDER\.[A-Z0-9_]+$/);
        expect(v.message).to.not.equal('');
      }
    });

    it('throws ORDER.INVALID_RULES as a permanent error when the rules are misconfigured', () => {
      for (const bad of [
        { ...rules, taxRateBasisPoints: 19.5 },
        { ...rules, maxTotalMinor: -1 },
        { ...rules, maxTotalMinor: Number.NaN },
      ]) {
        expect(() => checkOrderRules(OrderMother.valid(), bad))
          .to.throw(PermanentError)
          .with.property('code', 'ORDER.INVALID_RULES');
      }
    });
  });

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
