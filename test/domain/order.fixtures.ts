import { DEFAULT_ORDER_RULES, type FieldViolation } from '../../domain/order.js';

export const rules = DEFAULT_ORDER_RULES;

export function pathsAndCodes(violations: readonly FieldViolation[]): string[] {
  return violations.map((v) => `${v.path} ${v.code}`);
}
