import { expect } from 'chai';
import fc from 'fast-check';
import { PermanentError } from '../../domain/errors.js';
import { DEFAULT_ORDER_RULES, ORDER_LIMITS, ORDER_VIOLATION_CODES as CODES, checkOrderRules, type OrderRules } from '../../domain/order.js';
import { OrderLineMother, OrderMother } from './order-mother.js';
import { rules, pathsAndCodes } from './order.fixtures.js';

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
});
