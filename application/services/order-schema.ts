import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError as ClassValidationError } from 'class-validator';
import type { FieldViolation, Order } from '../../domain/order.js';
import { OrderRequestDto } from '../dto/order-request.dto.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;

export type SchemaResult = { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/**
 * Checks the shape of untrusted JSON and returns a plain, typed Order. Unknown fields are reported, not
 * stripped (whitelist + forbidNonWhitelisted), so the keys that could reach an object prototype are
 * rejected before class-transformer ever sees the value.
 */
export function parseOrderShape(input: unknown): SchemaResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, violations: [{ path: '', code: 'BODY.NOT_AN_OBJECT', message: 'body must be a JSON object' }] };
  }
  const dangerous = findForbiddenKeys(input, '', 0);
  if (dangerous.length > 0) return { ok: false, violations: dangerous };
  const dto = plainToInstance(OrderRequestDto, input);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  if (errors.length > 0) return { ok: false, violations: flatten(errors, '') };
  return { ok: true, order: toOrder(dto) };
}

function findForbiddenKeys(value: unknown, path: string, depth: number): FieldViolation[] {
  if (typeof value !== 'object' || value === null) return [];
  if (depth > MAX_DEPTH) return [{ path, code: 'BODY.TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels` }];
  const found: FieldViolation[] = [];
  for (const key of Object.keys(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) {
      found.push({ path: childPath, code: 'BODY.FORBIDDEN_KEY', message: `key "${key}" is not allowed` });
    } else {
      found.push(...findForbiddenKeys((value as Record<string, unknown>)[key], childPath, depth + 1));
    }
  }
  return found;
}

function flatten(errors: readonly ClassValidationError[], parent: string): FieldViolation[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent === '' ? error.property : `${parent}.${error.property}`;
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      code: constraint === 'whitelistValidation' ? 'BODY.UNKNOWN_FIELD' : `SCHEMA.${constraint.toUpperCase()}`,
      message: constraint === 'whitelistValidation' ? `unknown field "${error.property}"` : message,
    }));
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

function toOrder(dto: OrderRequestDto): Order {
  return {
    orderId: dto.orderId,
    customerId: dto.customerId,
    currency: dto.currency,
    lines: dto.lines.map((line) => ({ sku: line.sku, quantity: line.quantity, unitPriceMinor: line.unitPriceMinor })),
  };
}
