import { PermanentError } from './errors.js';
import {
  BASIS_POINTS_PER_UNIT,
  SUPPORTED_CURRENCY_CODES,
  addMinor,
  applyRateHalfEven,
  isIsoCurrency,
  multiplyMinor,
  roundHalfEven,
} from './money.js';

export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
}

export interface Order {
  readonly orderId: string;
  readonly customerId: string;
  /** ISO 4217 code; every amount of the order is in its minor units. */
  readonly currency: string;
  readonly lines: readonly OrderLine[];
}

export interface OrderRules {
  readonly supportedCurrencies: readonly string[];
  /** Upper bound of the order total (tax included), in minor units. */
  readonly maxTotalMinor: number;
  readonly taxRateBasisPoints: number;
}

export const DEFAULT_ORDER_RULES: OrderRules = Object.freeze({
  supportedCurrencies: SUPPORTED_CURRENCY_CODES,
  maxTotalMinor: 100_000_000,
  taxRateBasisPoints: 0,
});

export const ORDER_LIMITS = {
  minLines: 1,
  maxLines: 100,
  minQuantity: 1,
  maxQuantity: 10_000,
  minUnitPriceMinor: 0,
  maxUnitPriceMinor: 1_000_000_000,
} as const;

/** Stable codes of the business-rule violations, for clients, dashboards and tests. */
export const ORDER_VIOLATION_CODES = {
  emptyField: 'ORDER.EMPTY_FIELD',
  tooFewLines: 'ORDER.TOO_FEW_LINES',
  tooManyLines: 'ORDER.TOO_MANY_LINES',
  quantityNotInteger: 'ORDER.QUANTITY_NOT_INTEGER',
  quantityOutOfRange: 'ORDER.QUANTITY_OUT_OF_RANGE',
  unitPriceNotInteger: 'ORDER.UNIT_PRICE_NOT_INTEGER',
  unitPriceOutOfRange: 'ORDER.UNIT_PRICE_OUT_OF_RANGE',
  duplicateSku: 'ORDER.DUPLICATE_SKU',
  currencyNotIso: 'ORDER.CURRENCY_NOT_ISO_4217',
  currencyNotSupported: 'ORDER.CURRENCY_NOT_SUPPORTED',
  totalAboveMaximum: 'ORDER.TOTAL_ABOVE_MAXIMUM',
  totalOverflow: 'ORDER.TOTAL_OVERFLOW',
} as const;

export type OrderViolationCode = (typeof ORDER_VIOLATION_CODES)[keyof typeof ORDER_VIOLATION_CODES];

export interface FieldViolation {
  /** Path into the order, e.g. `lines[2].quantity`; totals are reported on `lines`. */
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

export interface PricedLine extends OrderLine {
  readonly lineTotalMinor: number;
}

export interface PricedOrder {
  readonly orderId: string;
  readonly currency: string;
  readonly lines: readonly PricedLine[];
  readonly subtotalMinor: number;
  readonly taxMinor: number;
  readonly totalMinor: number;
}

export type OrderEvaluation =
  { readonly ok: true; readonly priced: PricedOrder } | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/**
 * Every business-rule violation of the order at once, in a stable order (header fields, line count,
 * each line, totals), so a client can fix them all in one round trip. An empty list means valid.
 */
export function checkOrderRules(order: Order, rules: OrderRules): FieldViolation[] {
  assertValidOrderRules(rules);
  return [
    ...checkHeader(order),
    ...checkCurrency(order.currency, rules),
    ...checkLineCount(order.lines),
    ...order.lines.flatMap((line, index) => checkLine(line, `lines[${index}]`)),
    ...checkDuplicateSkus(order.lines),
    ...checkTotals(order.lines, rules),
  ];
}

/**
 * Prices an order that satisfies `checkOrderRules`. On anything else it may throw the money
 * module's ValidationError (`MONEY.NOT_INTEGER`, `MONEY.OVERFLOW`); use `evaluateOrder` to get both.
 */
export function priceOrder(order: Order, rules: OrderRules): PricedOrder {
  assertValidOrderRules(rules);
  const lines = order.lines.map((line) => ({
    sku: line.sku,
    quantity: line.quantity,
    unitPriceMinor: line.unitPriceMinor,
    lineTotalMinor: multiplyMinor(line.unitPriceMinor, line.quantity),
  }));
  const subtotalMinor = lines.reduce((sum, line) => addMinor(sum, line.lineTotalMinor), 0);
  const taxMinor = applyRateHalfEven(subtotalMinor, rules.taxRateBasisPoints);
  return {
    orderId: order.orderId,
    currency: order.currency,
    lines,
    subtotalMinor,
    taxMinor,
    totalMinor: addMinor(subtotalMinor, taxMinor),
  };
}

/**
 * Rules are configuration, not input: a wrong rule is our fault, never the client's, so it fails
 * loudly as PERMANENT (`ORDER.INVALID_RULES`) instead of turning into a violation.
 */
export function assertValidOrderRules(rules: OrderRules): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(rules.maxTotalMinor) || rules.maxTotalMinor < 0)
    problems.push('maxTotalMinor must be a non-negative safe integer');
  if (!Number.isSafeInteger(rules.taxRateBasisPoints) || rules.taxRateBasisPoints < 0) {
    problems.push('taxRateBasisPoints must be a non-negative integer');
  }
  if (!Array.isArray(rules.supportedCurrencies)) problems.push('supportedCurrencies must be a list of ISO 4217 codes');
  if (problems.length > 0) {
    throw new PermanentError(`invalid order rules: ${problems.join('; ')}`, { code: 'ORDER.INVALID_RULES', context: { problems } });
  }
}

/** An invalid order is an expected outcome, so it is a return value, not an exception. */
export function evaluateOrder(order: Order, rules: OrderRules): OrderEvaluation {
  const violations = checkOrderRules(order, rules);
  if (violations.length > 0) return { ok: false, violations };
  return { ok: true, priced: priceOrder(order, rules) };
}

function violation(path: string, code: OrderViolationCode, message: string): FieldViolation {
  return { path, code, message };
}

function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || value.trim().length === 0;
}

function checkHeader(order: Order): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (isBlank(order.orderId)) violations.push(violation('orderId', ORDER_VIOLATION_CODES.emptyField, 'orderId must not be empty'));
  if (isBlank(order.customerId)) {
    violations.push(violation('customerId', ORDER_VIOLATION_CODES.emptyField, 'customerId must not be empty'));
  }
  return violations;
}

function checkCurrency(currency: string, rules: OrderRules): FieldViolation[] {
  if (!isIsoCurrency(currency)) {
    return [violation('currency', ORDER_VIOLATION_CODES.currencyNotIso, `currency ${currency} is not a supported ISO 4217 code`)];
  }
  if (!rules.supportedCurrencies.includes(currency)) {
    return [violation('currency', ORDER_VIOLATION_CODES.currencyNotSupported, `currency ${currency} is not accepted`)];
  }
  return [];
}

function checkLineCount(lines: readonly OrderLine[]): FieldViolation[] {
  const { minLines, maxLines } = ORDER_LIMITS;
  if (lines.length < minLines) {
    return [violation('lines', ORDER_VIOLATION_CODES.tooFewLines, `an order needs at least ${minLines} line`)];
  }
  if (lines.length > maxLines) {
    return [violation('lines', ORDER_VIOLATION_CODES.tooManyLines, `an order has at most ${maxLines} lines, got ${lines.length}`)];
  }
  return [];
}

function checkLine(line: OrderLine, path: string): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (isBlank(line.sku)) violations.push(violation(`${path}.sku`, ORDER_VIOLATION_CODES.emptyField, 'sku must not be empty'));
  const quantity = checkIntegerInRange(line.quantity, ORDER_LIMITS.minQuantity, ORDER_LIMITS.maxQuantity);
  if (quantity === 'not-integer') {
    violations.push(violation(`${path}.quantity`, ORDER_VIOLATION_CODES.quantityNotInteger, 'quantity must be an integer'));
  } else if (quantity === 'out-of-range') {
    violations.push(
      violation(
        `${path}.quantity`,
        ORDER_VIOLATION_CODES.quantityOutOfRange,
        `quantity must be between ${ORDER_LIMITS.minQuantity} and ${ORDER_LIMITS.maxQuantity}`,
      ),
    );
  }
  const price = checkIntegerInRange(line.unitPriceMinor, ORDER_LIMITS.minUnitPriceMinor, ORDER_LIMITS.maxUnitPriceMinor);
  if (price === 'not-integer') {
    violations.push(
      violation(
        `${path}.unitPriceMinor`,
        ORDER_VIOLATION_CODES.unitPriceNotInteger,
        'unitPriceMinor must be an integer number of minor units',
      ),
    );
  } else if (price === 'out-of-range') {
    violations.push(
      violation(
        `${path}.unitPriceMinor`,
        ORDER_VIOLATION_CODES.unitPriceOutOfRange,
        `unitPriceMinor must be between ${ORDER_LIMITS.minUnitPriceMinor} and ${ORDER_LIMITS.maxUnitPriceMinor}`,
      ),
    );
  }
  return violations;
}

function checkIntegerInRange(value: number, min: number, max: number): 'ok' | 'not-integer' | 'out-of-range' {
  if (!Number.isInteger(value)) return 'not-integer';
  return value < min || value > max ? 'out-of-range' : 'ok';
}

/** Every repeat of a SKU is reported on its own line; the first occurrence is the legitimate one. */
function checkDuplicateSkus(lines: readonly OrderLine[]): FieldViolation[] {
  const firstIndex = new Map<string, number>();
  const violations: FieldViolation[] = [];
  lines.forEach((line, index) => {
    if (isBlank(line.sku)) return;
    const first = firstIndex.get(line.sku);
    if (first === undefined) {
      firstIndex.set(line.sku, index);
      return;
    }
    violations.push(
      violation(`lines[${index}].sku`, ORDER_VIOLATION_CODES.duplicateSku, `sku ${line.sku} already appears on lines[${first}]`),
    );
  });
  return violations;
}

/**
 * Totals are computed with BigInt so that absurd inputs are reported rather than rounded. Lines whose
 * quantity or price is not an integer are already reported and cannot be totalled; they are skipped.
 */
function checkTotals(lines: readonly OrderLine[], rules: OrderRules): FieldViolation[] {
  const subtotal = lines
    .filter((line) => Number.isInteger(line.quantity) && Number.isInteger(line.unitPriceMinor))
    .reduce((sum, line) => sum + BigInt(line.quantity) * BigInt(line.unitPriceMinor), 0n);
  if (!isSafe(subtotal)) {
    return [violation('lines', ORDER_VIOLATION_CODES.totalOverflow, 'the order total is too large to compute exactly')];
  }
  const tax = roundHalfEven(subtotal * BigInt(rules.taxRateBasisPoints), BigInt(BASIS_POINTS_PER_UNIT));
  const total = subtotal + tax;
  if (!isSafe(tax) || !isSafe(total)) {
    return [violation('lines', ORDER_VIOLATION_CODES.totalOverflow, 'the order total is too large to compute exactly')];
  }
  if (total > BigInt(rules.maxTotalMinor)) {
    return [
      violation(
        'lines',
        ORDER_VIOLATION_CODES.totalAboveMaximum,
        `the order total ${total} exceeds the maximum of ${rules.maxTotalMinor} minor units`,
      ),
    ];
  }
  return [];
}

function isSafe(value: bigint): boolean {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER);
}
