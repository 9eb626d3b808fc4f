import type { FieldViolation } from '../../domain/order.js';

/** A query parameter a GET takes: its name and the reason a value is refused (undefined: accepted). */
export interface QueryParameter {
  readonly name: string;
  readonly check: (value: string) => string | undefined;
}

/**
 * Every reason a query string is refused, at once: a parameter the route does not take
 * (QUERY.UNKNOWN_PARAMETER), one given twice or with a value its rule refuses (QUERY.INVALID). Paths
 * read `query.<name>`. A GET answers 400 with these rather than guessing (a `limit` of -1 is not 1).
 */
export function queryViolations(rawQueryString: string | undefined, accepted: readonly QueryParameter[] = []): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const seen = new Set<string>();
  for (const [name, value] of new URLSearchParams(rawQueryString ?? '')) {
    const path = `query.${name}`;
    const rule = accepted.find((parameter) => parameter.name === name);
    if (rule === undefined) {
      violations.push({
        path,
        code: 'QUERY.UNKNOWN_PARAMETER',
        message:
          accepted.length === 0
            ? 'this route takes no query parameter'
            : `unknown query parameter; accepted: ${accepted.map((parameter) => parameter.name).join(', ')}`,
      });
    } else if (seen.has(name)) {
      violations.push({ path, code: 'QUERY.INVALID', message: `${name} is given more than once` });
    } else {
      const reason = rule.check(value);
      if (reason !== undefined) violations.push({ path, code: 'QUERY.INVALID', message: reason });
    }
    seen.add(name);
  }
  return violations;
}

/** A whole number from `min` to `max`, written in decimal digits only. */
export function integerBetween(name: string, min: number, max: number): QueryParameter {
  return {
    name,
    check: (value) =>
      /^\d{1,15}$/.test(value) && Number(value) >= min && Number(value) <= max
        ? undefined
        : `${name} must be a whole number from ${min} to ${max}`,
  };
}

/** A string of the given syntax. */
export function matching(name: string, pattern: RegExp, description: string): QueryParameter {
  return { name, check: (value) => (pattern.test(value) ? undefined : `${name} must be ${description}`) };
}
