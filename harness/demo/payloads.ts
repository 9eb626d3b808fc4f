/** A valid order as a client sends it (amounts in minor units). */
export function validOrder(orderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    orderId,
    customerId: `customer-${orderId}`,
    currency: 'EUR',
    lines: [
      { sku: 'SKU-0001', quantity: 2, unitPriceMinor: 1_999 },
      { sku: 'SKU-0002', quantity: 1, unitPriceMinor: 500 },
    ],
    ...overrides,
  };
}

export interface InvalidRequest {
  readonly name: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  /** The reason the edge must give (a violation code, or the error of a 415). */
  readonly reason: string;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const json = (value: unknown): string => JSON.stringify(value);

/** One request for every way an order can be refused at the edge, with the answer it must get. */
export function invalidRequests(): InvalidRequest[] {
  const base = validOrder('invalid');
  const lines = (count: number): unknown[] =>
    Array.from({ length: count }, (_, index) => ({ sku: `SKU-${index}`, quantity: 1, unitPriceMinor: 1 }));
  const cases: [string, string, Record<string, string>, number, string][] = [
    ['not JSON (text/plain)', 'orderId=1', { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an empty body', '', JSON_HEADERS, 400, 'BODY.EMPTY'],
    ['malformed JSON', '{"orderId": "x",', JSON_HEADERS, 400, 'BODY.MALFORMED_JSON'],
    ['a JSON array', json([base]), JSON_HEADERS, 400, 'BODY.NOT_AN_OBJECT'],
    ['no fields at all', json({}), JSON_HEADERS, 400, 'SCHEMA.ISDEFINED'],
    ['an unknown field', json({ ...base, coupon: 'FREE' }), JSON_HEADERS, 400, 'BODY.UNKNOWN_FIELD'],
    ['a field named like an Object.prototype member (toString)', json({ ...base, toString: 1 }), JSON_HEADERS, 400, 'BODY.UNKNOWN_FIELD'],
    [
      'a line field named like an Object.prototype member (valueOf)',
      json({ ...base, lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 1, valueOf: 2 }] }),
      JSON_HEADERS,
      400,
      'BODY.UNKNOWN_FIELD',
    ],
    [
      'a __proto__ key',
      '{"__proto__":{"admin":true},"orderId":"p","customerId":"c","currency":"EUR","lines":[]}',
      JSON_HEADERS,
      400,
      'BODY.FORBIDDEN_KEY',
    ],
    [
      'a quantity given as a string',
      json({ ...base, lines: [{ sku: 'A', quantity: '2', unitPriceMinor: 1 }] }),
      JSON_HEADERS,
      400,
      'SCHEMA.ISINT',
    ],
    [
      'a price with decimals',
      json({ ...base, lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 19.99 }] }),
      JSON_HEADERS,
      400,
      'SCHEMA.ISINT',
    ],
    ['a quantity of 0', json({ ...base, lines: [{ sku: 'A', quantity: 0, unitPriceMinor: 1 }] }), JSON_HEADERS, 400, 'SCHEMA.MIN'],
    ['no lines', json({ ...base, lines: [] }), JSON_HEADERS, 400, 'SCHEMA.ARRAYMINSIZE'],
    ['101 lines', json({ ...base, lines: lines(101) }), JSON_HEADERS, 400, 'SCHEMA.ARRAYMAXSIZE'],
    [
      'the same SKU twice',
      json({
        ...base,
        lines: [
          { sku: 'A', quantity: 1, unitPriceMinor: 1 },
          { sku: 'A', quantity: 2, unitPriceMinor: 1 },
        ],
      }),
      JSON_HEADERS,
      400,
      'ORDER.DUPLICATE_SKU',
    ],
    ['a lower-case currency', json({ ...base, currency: 'eur' }), JSON_HEADERS, 400, 'SCHEMA.MATCHES'],
    ['an unknown currency', json({ ...base, currency: 'XYZ' }), JSON_HEADERS, 400, 'ORDER.CURRENCY_NOT_ISO_4217'],
    [
      'a total above the maximum',
      json({ ...base, lines: [{ sku: 'A', quantity: 1, unitPriceMinor: 100_000_001 }] }),
      JSON_HEADERS,
      400,
      'ORDER.TOTAL_ABOVE_MAXIMUM',
    ],
    ['a body over the size limit', json({ ...base, customerId: 'x'.repeat(300_000) }), JSON_HEADERS, 400, 'BODY.TOO_LARGE'],
    ['a malformed Idempotency-Key', json(base), { ...JSON_HEADERS, 'idempotency-key': 'not a key!' }, 400, 'HEADER.INVALID'],
    ['an unknown failure simulation', json(base), { ...JSON_HEADERS, 'x-simulate-failure': 'sometimes' }, 400, 'SIMULATION.INVALID'],
    ['a simulated validation failure', json(base), { ...JSON_HEADERS, 'x-simulate-failure': 'validation' }, 400, 'SIMULATED.VALIDATION'],
  ];
  return cases.map(([name, body, headers, status, reason]) => ({ name, body, headers, status, reason }));
}
