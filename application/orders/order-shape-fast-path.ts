import { ORDER_LIMITS, type Order } from '../../domain/order.js';
import { CURRENCY, IDENTIFIER, IDENTIFIER_MAX_LENGTH } from './order-request.dto.js';

const ORDER_KEYS = ['orderId', 'customerId', 'currency', 'lines'] as const;
const LINE_KEYS = ['sku', 'quantity', 'unitPriceMinor'] as const;

/**
 * The order a value certainly is, or undefined when it is not certain. A strict, hand-written reading of
 * OrderRequestDto's rules (the same constants): a plain object with exactly the DTO's keys, each valid.
 * It never accepts what class-validator would reject, and it never rejects: anything it is unsure of
 * (any violation, any unusual value) is left to the class-validator path, which decides and names the
 * violations. So the queue's re-check of a message the edge already validated costs a few comparisons,
 * and a tampered message is still rejected exactly as before (test/application/order-shape-fast-path.spec.ts).
 */
export function certainlyValidOrder(input: unknown): Order | undefined {
  if (!isPlainObjectWithKeys(input, ORDER_KEYS)) return undefined;
  const { orderId, customerId, currency, lines } = input as Record<(typeof ORDER_KEYS)[number], unknown>;
  if (!isIdentifier(orderId) || !isIdentifier(customerId)) return undefined;
  if (typeof currency !== 'string' || !CURRENCY.test(currency)) return undefined;
  if (!Array.isArray(lines) || lines.length < ORDER_LIMITS.minLines || lines.length > ORDER_LIMITS.maxLines) return undefined;
  const orderLines: Order['lines'][number][] = [];
  for (const line of lines as unknown[]) {
    if (!isPlainObjectWithKeys(line, LINE_KEYS)) return undefined;
    const { sku, quantity, unitPriceMinor } = line as Record<(typeof LINE_KEYS)[number], unknown>;
    if (!isIdentifier(sku)) return undefined;
    if (!isIntegerWithin(quantity, ORDER_LIMITS.minQuantity, ORDER_LIMITS.maxQuantity)) return undefined;
    if (!isIntegerWithin(unitPriceMinor, ORDER_LIMITS.minUnitPriceMinor, ORDER_LIMITS.maxUnitPriceMinor)) return undefined;
    orderLines.push({ sku, quantity, unitPriceMinor });
  }
  return { orderId, customerId, currency, lines: orderLines };
}

function isPlainObjectWithKeys(value: unknown, keys: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return false;
  const own = Object.keys(value);
  return own.length === keys.length && keys.every((key) => Object.prototype.hasOwnProperty.call(value, key));
}

function isIdentifier(value: unknown): value is string {
  // IDENTIFIER is ASCII only, so UTF-16 length is the character count class-validator's Length measures.
  return typeof value === 'string' && value.length >= 1 && value.length <= IDENTIFIER_MAX_LENGTH && IDENTIFIER.test(value);
}

function isIntegerWithin(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
