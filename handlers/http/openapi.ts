import { ORDER_LIMITS } from '../../domain/order.js';

/*
 * The HTTP API's OpenAPI 3.1 description, in one place: served by the harness at /openapi.json, fuzzed
 * by schemathesis in .ci/run on both topologies, and checked against the request DTO
 * (test/handlers/openapi.spec.ts) so the two cannot drift. Limits come from the domain's own constants.
 */
const IDENTIFIER = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: object) => ({ 'application/json': { schema } });
const CORRELATION = { 'x-correlation-id': { $ref: '#/components/headers/CorrelationId' } };
const RETRY_AFTER = { 'retry-after': { $ref: '#/components/headers/RetryAfter' } };
const answer = (description: string, schema: string, headers: object = CORRELATION) => ({
  description,
  headers,
  content: jsonBody(ref(schema)),
});

const KNOWN_KEY_ANSWERS = {
  200: answer('A known key whose order finished: its stored status (SUCCEEDED or PARKED)', 'Duplicate'),
  409: answer('A known key still queued or being worked: come back after Retry-After', 'InProgress', { ...CORRELATION, ...RETRY_AFTER }),
  422: answer('The Idempotency-Key was used for another payload: the first accepted one wins', 'KeyReused'),
};
const REFUSALS = {
  400: answer('The request is invalid: every reason at once', 'Invalid'),
  415: answer('The body is not application/json', 'Problem'),
  503: answer('A dependency is down: try again after Retry-After', 'Failure', { ...CORRELATION, ...RETRY_AFTER }),
};
const ORDER_REQUEST = {
  required: true,
  content: jsonBody(ref('OrderRequest')),
};
const HEADERS = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' },
    description: "The order's idempotency key; a hash of the canonical order when absent",
  },
  {
    name: 'x-correlation-id',
    in: 'header',
    required: false,
    schema: { type: 'string' },
    description: 'Carried through every step; one is made when absent or malformed',
  },
];

const SCHEMAS = {
  OrderLine: {
    type: 'object',
    additionalProperties: false,
    required: ['sku', 'quantity', 'unitPriceMinor'],
    properties: {
      sku: { type: 'string', minLength: 1, maxLength: 64, pattern: IDENTIFIER },
      quantity: { type: 'integer', minimum: ORDER_LIMITS.minQuantity, maximum: ORDER_LIMITS.maxQuantity },
      unitPriceMinor: { type: 'integer', minimum: ORDER_LIMITS.minUnitPriceMinor, maximum: ORDER_LIMITS.maxUnitPriceMinor },
    },
  },
  OrderRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['orderId', 'customerId', 'currency', 'lines'],
    properties: {
      orderId: { type: 'string', minLength: 1, maxLength: 64, pattern: IDENTIFIER },
      customerId: { type: 'string', minLength: 1, maxLength: 64, pattern: IDENTIFIER },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      lines: { type: 'array', minItems: ORDER_LIMITS.minLines, maxItems: ORDER_LIMITS.maxLines, items: ref('OrderLine') },
    },
  },
  Totals: {
    type: 'object',
    required: ['currency', 'subtotalMinor', 'taxMinor', 'totalMinor'],
    properties: {
      currency: { type: 'string' },
      subtotalMinor: { type: 'integer' },
      taxMinor: { type: 'integer' },
      totalMinor: { type: 'integer' },
    },
  },
  Accepted: {
    type: 'object',
    required: ['status', 'orderId', 'idempotencyKey', 'messageId', 'correlationId', 'totals'],
    properties: {
      status: { const: 'ACCEPTED' },
      orderId: { type: 'string' },
      idempotencyKey: { type: 'string' },
      messageId: { type: 'string' },
      correlationId: { type: 'string' },
      totals: ref('Totals'),
    },
  },
  Published: {
    type: 'object',
    required: ['status', 'orderId', 'idempotencyKey', 'messageId', 'payloadHash', 'correlationId'],
    properties: {
      status: { const: 'PUBLISHED' },
      orderId: { type: 'string' },
      idempotencyKey: { type: 'string' },
      messageId: { type: 'string' },
      payloadHash: { type: 'string' },
      correlationId: { type: 'string' },
    },
  },
  Validated: {
    type: 'object',
    required: ['valid', 'order', 'priced', 'correlationId'],
    properties: { valid: { const: true }, order: ref('OrderRequest'), priced: { type: 'object' }, correlationId: { type: 'string' } },
  },
  Duplicate: {
    type: 'object',
    required: ['status', 'duplicate', 'orderId', 'idempotencyKey', 'correlationId'],
    properties: {
      status: { enum: ['SUCCEEDED', 'PARKED'] },
      duplicate: { const: true },
      orderId: { type: 'string' },
      idempotencyKey: { type: 'string' },
      correlationId: { type: 'string' },
      outcome: { type: 'object' },
      lastError: ref('FailureInfo'),
    },
  },
  InProgress: {
    type: 'object',
    required: ['error', 'message', 'idempotencyKey', 'correlationId'],
    properties: {
      error: { const: 'IN_PROGRESS' },
      message: { type: 'string' },
      idempotencyKey: { type: 'string' },
      correlationId: { type: 'string' },
    },
  },
  KeyReused: {
    type: 'object',
    required: ['error', 'message', 'idempotencyKey', 'correlationId'],
    properties: {
      error: { const: 'IDEMPOTENCY_KEY_REUSED' },
      message: { type: 'string' },
      idempotencyKey: { type: 'string' },
      correlationId: { type: 'string' },
    },
  },
  Violation: {
    type: 'object',
    required: ['path', 'code', 'message'],
    properties: {
      path: {
        type: 'string',
        description:
          'Where: `lines[0].sku` (an array\'s element by index, an object\'s key after a dot); a key that is not a plain identifier as a JSON string, `"0"` or `lines[0]."gift wrap"`; `headers.<name>`, `query.<name>`; empty for the whole body',
      },
      code: { type: 'string' },
      message: { type: 'string' },
    },
  },
  Invalid: {
    type: 'object',
    required: ['error', 'message', 'correlationId', 'violations'],
    properties: {
      error: { const: 'VALIDATION' },
      message: { type: 'string' },
      correlationId: { type: 'string' },
      violations: { type: 'array', minItems: 1, items: ref('Violation') },
    },
  },
  Problem: {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string' }, message: { type: 'string' }, correlationId: { type: 'string' } },
  },
  Failure: {
    type: 'object',
    required: ['error', 'code', 'message', 'correlationId'],
    properties: { error: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' }, correlationId: { type: 'string' } },
  },
  FailureInfo: {
    type: 'object',
    required: ['category', 'code'],
    properties: {
      category: { enum: ['VALIDATION', 'TRANSIENT', 'PERMANENT', 'TIMEOUT', 'PROCESSING', 'UNKNOWN'] },
      code: { type: 'string' },
    },
  },
  OrderView: {
    type: 'object',
    required: ['idempotencyKey', 'status', 'attempts', 'lastErrorCategory', 'lastError', 'outcome', 'createdAt', 'updatedAt'],
    properties: {
      idempotencyKey: { type: 'string' },
      orderId: { type: 'string' },
      status: { enum: ['ACCEPTED', 'INFLIGHT', 'RETRY', 'SUCCEEDED', 'PARKED'] },
      attempts: { type: 'integer', minimum: 0 },
      lastErrorCategory: { type: ['string', 'null'] },
      lastError: { oneOf: [ref('FailureInfo'), { type: 'null' }] },
      outcome: { type: ['object', 'null'] },
      correlationId: { type: 'string' },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      leaseExpiresAt: { type: 'string' },
    },
  },
  NotFound: { type: 'object', required: ['message'], properties: { message: { type: 'string' } } },
};

/** Which topology serves the API: only `both` has POST /orchestrated/orders (the ingest workflow beside the composed ingest). */
export type ApiTopology = 'composed' | 'orchestrated' | 'both';

/**
 * The description of the API a topology serves (the harness and a deployed stage alike; the stack's
 * routes are checked against it); `serverUrl` is where it is served from (the harness' own address).
 */
export function openApiDocument(serverUrl?: string, topology: ApiTopology = 'composed'): Record<string, unknown> {
  const postOrder = (operationId: string, summary: string): Record<string, unknown> => ({
    post: {
      operationId,
      summary,
      parameters: HEADERS,
      requestBody: ORDER_REQUEST,
      responses: {
        202: {
          ...answer('Accepted: the key is reserved for this payload and the order is queued', 'Accepted'),
          headers: { ...CORRELATION, location: { schema: { type: 'string' }, description: '/orders/{idempotencyKey}' } },
          links: { GetOrderByKey: { operationId: 'getOrder', parameters: { idempotencyKey: '$response.body#/idempotencyKey' } } },
        },
        ...KNOWN_KEY_ANSWERS,
        ...REFUSALS,
      },
    },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Resilient order pipeline',
      version: '1.0.0',
      description: 'One HTTP contract for both topologies (composed and orchestrated).',
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    paths: {
      '/orders': postOrder('postOrder', 'Accept an order: validate, reserve its key, queue it'),
      ...(topology === 'both'
        ? {
            '/orchestrated/orders': postOrder(
              'postOrchestratedOrder',
              'Accept an order through the ingest workflow (topology both): the same contract as POST /orders',
            ),
          }
        : {}),
      '/validate': {
        post: {
          operationId: 'validateOrder',
          summary: 'Validate and price an order (no side effect)',
          parameters: HEADERS,
          requestBody: ORDER_REQUEST,
          responses: { 200: answer('Valid, with the priced order', 'Validated'), 400: REFUSALS[400], 415: REFUSALS[415] },
        },
      },
      '/publish': {
        post: {
          operationId: 'publishOrder',
          summary: 'Reserve the key and queue an order validated before',
          parameters: HEADERS,
          requestBody: ORDER_REQUEST,
          responses: { 202: answer('Queued', 'Published'), ...KNOWN_KEY_ANSWERS, ...REFUSALS },
        },
      },
      '/orders/{idempotencyKey}': {
        get: {
          operationId: 'getOrder',
          summary: 'Where an order is, and why',
          // It takes no query parameter: one given is a 400 (QUERY.UNKNOWN_PARAMETER at `query.<name>`), not ignored.
          parameters: [{ name: 'idempotencyKey', in: 'path', required: true, schema: { type: 'string' } }, HEADERS[1]],
          responses: {
            200: { description: "The order's record", headers: CORRELATION, content: jsonBody(ref('OrderView')) },
            400: answer('A query parameter was given: this route takes none (QUERY.UNKNOWN_PARAMETER, path query.<name>)', 'Invalid'),
            404: { description: 'No such key', headers: CORRELATION, content: jsonBody(ref('NotFound')) },
          },
        },
      },
    },
    components: {
      schemas: SCHEMAS,
      headers: {
        CorrelationId: { schema: { type: 'string' }, description: "The request's correlation id" },
        RetryAfter: { required: true, schema: { type: 'string', pattern: '^[0-9]+$' }, description: 'Seconds to wait before trying again' },
      },
    },
  };
}
