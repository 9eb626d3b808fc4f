import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import type { FieldViolation, Order } from '../../domain/order.js';
import { isSimulation, type FailureSimulation } from './failure-simulation.js';
import type { QueueMessage } from '../ports/queue-message.js';
import { certainlyValidOrder } from './order-shape-fast-path.js';
import { parseOrderShape, type SchemaResult } from './order-schema.js';

export const SCHEMA_VERSION = '1';

/** What travels on the order queue. The order is re-checked by the worker: the queue is not trusted either. */
export interface OrderMessageBody {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly order: Order;
  readonly payloadHash: string;
  readonly acceptedAt: number;
  readonly simulate?: FailureSimulation;
}

export interface OrderEnvelope {
  readonly body: OrderMessageBody;
  readonly idempotencyKey: string;
  readonly correlationId: string;
}

export type EnvelopeResult =
  { readonly ok: true; readonly envelope: OrderEnvelope } | { readonly ok: false; readonly violations: readonly FieldViolation[] };

/** The fair-queue tenant of a message whose body cannot be read as an order (it is still sent, and parked later). */
export const UNKNOWN_TENANT = 'unknown-customer';
/** SQS's limit on MessageGroupId: up to 128 characters of a-z, A-Z, 0-9 and punctuation. */
const GROUP_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The tenant an order message belongs to for SQS fair queues: its order's customer. Derived from the
 * body, so that every send of it (the edge, the backoff re-send, the sweep, the redrive, a replay) names
 * the same tenant without each caller knowing about fairness.
 */
export function tenantOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { order?: { customerId?: unknown } } | null;
    const customerId = parsed?.order?.customerId;
    return typeof customerId === 'string' && GROUP_ID.test(customerId) ? customerId : UNKNOWN_TENANT;
  } catch {
    return UNKNOWN_TENANT;
  }
}

export function orderMessageAttributes(envelope: OrderEnvelope): Record<string, string> {
  return {
    [MESSAGE_ATTRIBUTES.orderId]: envelope.body.order.orderId,
    [MESSAGE_ATTRIBUTES.idempotencyKey]: envelope.idempotencyKey,
    [MESSAGE_ATTRIBUTES.correlationId]: envelope.correlationId,
    [MESSAGE_ATTRIBUTES.schemaVersion]: SCHEMA_VERSION,
  };
}

/** Reads a queue message back into an envelope, reporting every reason it cannot. */
export function parseOrderMessage(message: Pick<QueueMessage, 'body' | 'attributes' | 'messageId'>): EnvelopeResult {
  const violations: FieldViolation[] = [];
  const idempotencyKey = message.attributes[MESSAGE_ATTRIBUTES.idempotencyKey];
  const correlationId = message.attributes[MESSAGE_ATTRIBUTES.correlationId] ?? message.messageId;
  if (idempotencyKey === undefined || idempotencyKey === '') {
    violations.push({
      path: `attributes.${MESSAGE_ATTRIBUTES.idempotencyKey}`,
      code: 'MESSAGE.MISSING_ATTRIBUTE',
      message: 'idempotencyKey attribute is required',
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(message.body);
  } catch {
    return { ok: false, violations: [...violations, { path: 'body', code: 'MESSAGE.MALFORMED_JSON', message: 'body is not valid JSON' }] };
  }
  if (typeof raw !== 'object' || raw === null) {
    return {
      ok: false,
      violations: [...violations, { path: 'body', code: 'MESSAGE.NOT_AN_OBJECT', message: 'body must be a JSON object' }],
    };
  }
  const candidate = raw as Record<string, unknown>;
  if (candidate.schemaVersion !== SCHEMA_VERSION) {
    violations.push({
      path: 'body.schemaVersion',
      code: 'MESSAGE.UNSUPPORTED_SCHEMA',
      message: `schemaVersion must be "${SCHEMA_VERSION}"`,
    });
  }
  if (typeof candidate.payloadHash !== 'string' || typeof candidate.acceptedAt !== 'number') {
    violations.push({ path: 'body', code: 'MESSAGE.MISSING_FIELD', message: 'payloadHash and acceptedAt are required' });
  }
  if (candidate.simulate !== undefined && !isSimulation(candidate.simulate)) {
    violations.push({ path: 'body.simulate', code: 'MESSAGE.INVALID_SIMULATION', message: 'simulate is malformed' });
  }
  // The edge validated this order before it was queued: the fast path confirms it in a few comparisons;
  // anything it is not certain of goes through class-validator, which decides (the queue is not trusted).
  const certain = certainlyValidOrder(candidate.order);
  const shape: SchemaResult = certain !== undefined ? { ok: true, order: certain } : parseOrderShape(candidate.order);
  if (!shape.ok) violations.push(...shape.violations.map((v) => ({ ...v, path: v.path === '' ? 'body.order' : `body.order.${v.path}` })));
  if (violations.length > 0 || !shape.ok || idempotencyKey === undefined) return { ok: false, violations };
  const body: OrderMessageBody = {
    schemaVersion: SCHEMA_VERSION,
    order: shape.order,
    payloadHash: candidate.payloadHash as string,
    acceptedAt: candidate.acceptedAt as number,
    ...(candidate.simulate === undefined ? {} : { simulate: candidate.simulate as FailureSimulation }),
  };
  return { ok: true, envelope: { body, idempotencyKey, correlationId } };
}

/** The payload fingerprint a queued order body carries, or undefined when the body is not one. */
export function payloadHashOf(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const hash = (parsed as { readonly payloadHash?: unknown }).payloadHash;
  return typeof hash === 'string' ? hash : undefined;
}
