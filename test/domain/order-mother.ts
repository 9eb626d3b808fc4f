import fc from 'fast-check';
import { SUPPORTED_CURRENCY_CODES } from '../../domain/money.js';
import { DEFAULT_ORDER_RULES, ORDER_LIMITS, type Order, type OrderLine, type OrderRules } from '../../domain/order.js';

/**
 * Builds orders for tests (Object Mother). Every builder returns an order that passes
 * `checkOrderRules(order, DEFAULT_ORDER_RULES)` unless its name says what is wrong with it.
 * Values are deterministic; use `OrderMother.arbitrary()` for property tests.
 */
export const OrderLineMother = {
  valid(overrides: Partial<OrderLine> = {}): OrderLine {
    return { sku: 'SKU-0001', quantity: 2, unitPriceMinor: 1_999, ...overrides };
  },

  /** The index-th of a set of distinct, valid lines. */
  numbered(index: number, overrides: Partial<OrderLine> = {}): OrderLine {
    return OrderLineMother.valid({
      sku: `SKU-${String(index + 1).padStart(4, '0')}`,
      quantity: 1 + (index % 3),
      unitPriceMinor: 100 + index,
      ...overrides,
    });
  },
};

export const OrderMother = {
  /** A valid EUR order with two lines: 2 × 19.99 and 1 × 5.00 (total 44.98). */
  valid(overrides: Partial<Order> = {}): Order {
    return {
      orderId: 'order-0001',
      customerId: 'customer-0001',
      currency: 'EUR',
      lines: [OrderLineMother.valid(), OrderLineMother.valid({ sku: 'SKU-0002', quantity: 1, unitPriceMinor: 500 })],
      ...overrides,
    };
  },

  /** A valid order with `count` distinct lines (invalid when count is outside 1–100). */
  withLines(count: number, overrides: Partial<Order> = {}): Order {
    return OrderMother.valid({ lines: Array.from({ length: count }, (_, index) => OrderLineMother.numbered(index)), ...overrides });
  },

  withLine(line: Partial<OrderLine>, overrides: Partial<Order> = {}): Order {
    return OrderMother.valid({ lines: [OrderLineMother.valid(line)], ...overrides });
  },

  withCurrency(currency: string): Order {
    return OrderMother.valid({ currency });
  },

  /** The same SKU on lines 0 and 1. */
  withDuplicateSku(sku = 'SKU-DUP'): Order {
    return OrderMother.valid({
      lines: [OrderLineMother.valid({ sku }), OrderLineMother.valid({ sku, quantity: 5 })],
    });
  },

  /** One line whose total is exactly `rules.maxTotalMinor` (tax 0): the largest valid order. */
  atMaxTotal(rules: OrderRules = DEFAULT_ORDER_RULES): Order {
    return OrderMother.withLine({ quantity: 1, unitPriceMinor: rules.maxTotalMinor });
  },

  /** One minor unit above `rules.maxTotalMinor` (tax 0). */
  aboveMaxTotal(rules: OrderRules = DEFAULT_ORDER_RULES): Order {
    return OrderMother.withLine({ quantity: 1, unitPriceMinor: rules.maxTotalMinor + 1 });
  },

  /** Valid orders under `rules` (default rules, tax 0), for fast-check properties. */
  arbitrary(rules: OrderRules = DEFAULT_ORDER_RULES): fc.Arbitrary<Order> {
    // Each line stays ≤ maxTotal / maxLines so any order is within the maximum before tax.
    const maxLineTotal = Math.floor(rules.maxTotalMinor / ORDER_LIMITS.maxLines / 2);
    const line = fc
      .record({
        quantity: fc.integer({ min: ORDER_LIMITS.minQuantity, max: ORDER_LIMITS.maxQuantity }),
        unitPriceMinor: fc.integer({ min: ORDER_LIMITS.minUnitPriceMinor, max: ORDER_LIMITS.maxUnitPriceMinor }),
      })
      .map(({ quantity, unitPriceMinor }) => ({ quantity, unitPriceMinor: Math.min(unitPriceMinor, Math.floor(maxLineTotal / quantity)) }));
    const currencies = rules.supportedCurrencies.filter((code) => (SUPPORTED_CURRENCY_CODES as readonly string[]).includes(code));
    return fc.record({
      orderId: fc.uuid(),
      customerId: fc.stringMatching(/^[a-z0-9-]{1,36}$/),
      currency: fc.constantFrom(...(currencies.length > 0 ? currencies : ['EUR'])),
      lines: fc
        .uniqueArray(fc.stringMatching(/^[A-Z0-9-]{1,32}$/), { minLength: ORDER_LIMITS.minLines, maxLength: 20 })
        .chain((skus) => fc.tuple(...skus.map((sku) => line.map((values) => ({ sku, ...values }))))),
    });
  },
};
