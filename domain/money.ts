import { ValidationError } from './errors.js';

/**
 * Amounts are integer minor units (cents, pence; yen have none) held in a `number`, always a safe
 * integer. Anything that could leave that range fails loudly instead of silently losing precision.
 */

/** The ISO 4217 codes this pipeline accepts: the commonly traded currencies, not the whole standard. */
export const SUPPORTED_CURRENCY_CODES = [
  'EUR',
  'USD',
  'GBP',
  'JPY',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'HUF',
  'RON',
  'AUD',
  'NZD',
  'CAD',
  'SGD',
  'HKD',
  'CNY',
  'INR',
  'BRL',
  'MXN',
  'ZAR',
  'KRW',
  'TRY',
  'ILS',
  'AED',
  'SAR',
  'THB',
  'IDR',
  'MYR',
  'PHP',
  'TWD',
] as const;

export type CurrencyCode = (typeof SUPPORTED_CURRENCY_CODES)[number];

const CURRENCY_SET: ReadonlySet<string> = new Set(SUPPORTED_CURRENCY_CODES);

/** Exact, case-sensitive match: ISO 4217 codes are three upper-case letters. */
export function isIsoCurrency(code: string): code is CurrencyCode {
  return CURRENCY_SET.has(code);
}

export const BASIS_POINTS_PER_UNIT = 10_000;

export function addMinor(a: number, b: number): number {
  assertSafeInteger(a, 'a');
  assertSafeInteger(b, 'b');
  // Two safe integers add exactly unless the true sum leaves the safe range, and then the rounded
  // result is outside it too, so this check is exact.
  return checkedResult(a + b, 'addMinor');
}

export function multiplyMinor(amountMinor: number, quantity: number): number {
  assertSafeInteger(amountMinor, 'amountMinor');
  assertSafeInteger(quantity, 'quantity');
  return checkedResult(amountMinor * quantity, 'multiplyMinor');
}

/** `amountMinor × rateBasisPoints / 10 000`, rounded half to even, computed exactly. */
export function applyRateHalfEven(amountMinor: number, rateBasisPoints: number): number {
  assertSafeInteger(amountMinor, 'amountMinor');
  assertSafeInteger(rateBasisPoints, 'rateBasisPoints');
  const exact = roundHalfEven(BigInt(amountMinor) * BigInt(rateBasisPoints), BigInt(BASIS_POINTS_PER_UNIT));
  return checkedResult(bigintToSafeNumber(exact, 'applyRateHalfEven'), 'applyRateHalfEven');
}

/**
 * `numerator / denominator` rounded to the nearest integer, ties to the even neighbour (banker's
 * rounding), so that rounding many amounts does not drift upwards.
 */
export function roundHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) {
    throw new ValidationError('division by zero', { code: 'MONEY.DIVISION_BY_ZERO' });
  }
  const n = denominator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let quotient = n / d;
  let remainder = n % d;
  if (remainder < 0n) {
    // BigInt division truncates towards zero; move to floor division so 0 ≤ remainder < d.
    quotient -= 1n;
    remainder += d;
  }
  const twice = 2n * remainder;
  if (twice > d) return quotient + 1n;
  if (twice === d && quotient % 2n !== 0n) return quotient + 1n;
  return quotient;
}

function assertSafeInteger(value: number, name: string): void {
  if (!Number.isInteger(value)) {
    throw new ValidationError(`${name} must be an integer amount of minor units, got ${String(value)}`, {
      code: 'MONEY.NOT_INTEGER',
      context: { [name]: value },
    });
  }
  if (!Number.isSafeInteger(value)) {
    throw overflow(name);
  }
}

function checkedResult(value: number, operation: string): number {
  if (!Number.isSafeInteger(value)) throw overflow(operation);
  return value === 0 ? 0 : value; // never hand out -0
}

function bigintToSafeNumber(value: bigint, operation: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw overflow(operation);
  return Number(value);
}

function overflow(what: string): ValidationError {
  return new ValidationError(`${what}: result is outside the safe integer range`, {
    code: 'MONEY.OVERFLOW',
    context: { operation: what },
  });
}
