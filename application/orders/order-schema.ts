import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError as ClassValidationError } from 'class-validator';
import type { FieldViolation, Order } from '../../domain/order.js';
import { OrderRequestDto } from './order-request.dto.js';
import { fieldPath } from './field-path.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;

export type SchemaResult =
  { readonly ok: true; readonly order: Order } | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/**
 * Checks the shape of untrusted JSON and returns a plain, typed Order, or every violation at once.
 *
 * - Keys that could reach an object prototype (`__proto__`, `constructor`, `prototype`) are found in the
 *   raw JSON at any depth and reported; class-transformer only ever sees a copy without them.
 * - Every key the DTOs do not declare is reported as BODY.UNKNOWN_FIELD at its path, found in the raw
 *   JSON's own keys against the properties class-validator knows. class-validator's own whitelist check
 *   cannot be the only guard: it looks at the instance class-transformer built, and class-transformer
 *   skips a key whose value on the new instance is a function, which is every `Object.prototype` member
 *   (`toString`, `valueOf`, `hasOwnProperty`, `__defineGetter__`, …): such a field would be dropped silently.
 * - Paths name arrays' elements `lines[0]` and keys `lines[0].sku`; a key that is not a plain identifier
 *   is written as a JSON string (`"0"`, `lines[0]."gift wrap"`, `""`), so it never reads as an index.
 */
export function parseOrderShape(input: unknown): SchemaResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, violations: [{ path: '', code: 'BODY.NOT_AN_OBJECT', message: 'body must be a JSON object' }] };
  }
  const dangerous = findDangerousKeys(input, '', 0);
  // The copy is made only for a hostile body: a well-formed one goes to class-transformer as it is.
  const safe = dangerous.length === 0 ? input : withoutDangerousKeys(input, 0);
  const dto = plainToInstance(OrderRequestDto, safe);
  const errors = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  const undeclared = undeclaredKeys(safe, dto, '');
  if (dangerous.length === 0 && errors.length === 0 && undeclared.length === 0) return { ok: true, order: toOrder(dto) };
  const reported = new Set(undeclared.map((violation) => violation.path));
  const fromValidator = flatten(errors, '', dto).filter(
    (violation) => !(violation.code === 'BODY.UNKNOWN_FIELD' && reported.has(violation.path)),
  );
  return { ok: false, violations: [...dangerous, ...undeclared, ...fromValidator] };
}

function findDangerousKeys(value: unknown, path: string, depth: number): FieldViolation[] {
  if (typeof value !== 'object' || value === null) return [];
  if (depth > MAX_DEPTH) return [{ path, code: 'BODY.TOO_DEEP', message: `nesting deeper than ${MAX_DEPTH} levels` }];
  let found: FieldViolation[] | undefined;
  const isArray = Array.isArray(value);
  for (const key of Object.keys(value)) {
    // Paths are written only where something is reported or looked into: most values are scalars.
    if (!isArray && FORBIDDEN_KEYS.has(key)) {
      (found ??= []).push({ path: fieldPath(path, key), code: 'BODY.FORBIDDEN_KEY', message: `key "${key}" is not allowed` });
      continue;
    }
    const child = (value as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    const below = findDangerousKeys(child, isArray ? `${path}[${key}]` : fieldPath(path, key), depth + 1);
    if (below.length > 0) (found ??= []).push(...below);
  }
  return found ?? [];
}

/** A copy without the forbidden keys and with what lies too deep cut off (null), so that the rest can still be checked. */
function withoutDangerousKeys(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutDangerousKeys(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!FORBIDDEN_KEYS.has(key))
      Object.defineProperty(copy, key, {
        value: withoutDangerousKeys(child, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return copy;
}

/** A class, as class-validator keys its metadata (by constructor). */
type Constructor = abstract new (...args: never[]) => unknown;

const declaredByClass = new Map<Constructor, ReadonlySet<string>>();

/** The properties class-validator validates on instances of a class (none for a class it does not know). */
function declaredProperties(type: Constructor): ReadonlySet<string> {
  let declared = declaredByClass.get(type);
  if (declared === undefined) {
    const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', false, false);
    declared = new Set(metadata.map((each) => each.propertyName));
    declaredByClass.set(type, declared);
  }
  return declared;
}

/**
 * The raw JSON's own keys that the DTO it became does not declare, at every level that became a DTO
 * (the order, each of its lines). The raw value and the instance are walked side by side, so the
 * instance says which class, and so which keys, applies where.
 */
function undeclaredKeys(raw: unknown, instance: unknown, path: string): FieldViolation[] {
  if (typeof raw !== 'object' || raw === null || typeof instance !== 'object' || instance === null) return [];
  let found: FieldViolation[] | undefined;
  if (Array.isArray(raw)) {
    if (!Array.isArray(instance)) return [];
    for (let index = 0; index < raw.length; index += 1) {
      const item: unknown = raw[index];
      if (typeof item !== 'object' || item === null) continue;
      const below = undeclaredKeys(item, instance[index], `${path}[${index}]`);
      if (below.length > 0) (found ??= []).push(...below);
    }
    return found ?? [];
  }
  const declared = declaredProperties(instance.constructor as Constructor); // an object's constructor is its class
  if (declared.size === 0) return [];
  for (const key of Object.keys(raw)) {
    if (!declared.has(key)) {
      (found ??= []).push({ path: fieldPath(path, key), code: 'BODY.UNKNOWN_FIELD', message: `unknown field ${JSON.stringify(key)}` });
      continue;
    }
    const child = (raw as Record<string, unknown>)[key];
    if (typeof child !== 'object' || child === null) continue;
    const below = undeclaredKeys(child, (instance as Record<string, unknown>)[key], fieldPath(path, key));
    if (below.length > 0) (found ??= []).push(...below);
  }
  return found ?? [];
}

/** class-validator's errors as field violations; the parent value says whether a property is an array's index or an object's key. */
function flatten(errors: readonly ClassValidationError[], parent: string, parentValue: unknown): FieldViolation[] {
  return errors.flatMap((error) => {
    const isIndex = Array.isArray(parentValue) && /^\d+$/.test(error.property);
    const path = isIndex ? `${parent}[${error.property}]` : fieldPath(parent, error.property);
    const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
      path,
      code: constraint === 'whitelistValidation' ? 'BODY.UNKNOWN_FIELD' : `SCHEMA.${constraint.toUpperCase()}`,
      message: constraint === 'whitelistValidation' ? `unknown field ${JSON.stringify(error.property)}` : message,
    }));
    const value =
      typeof parentValue === 'object' && parentValue !== null && Object.hasOwn(parentValue, error.property)
        ? (parentValue as Record<string, unknown>)[error.property]
        : undefined;
    return [...own, ...flatten(error.children ?? [], path, value)];
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
