import type { ErrorCategory } from '../../domain/error-category.js';
import type { Harness } from '../server/types.js';
import type { FaultSettings } from '../faults/faults.js';
import type { Answer, DemoClient } from './demo-client.js';
import { invalidRequests, validOrder } from './payloads.js';

export type Expected = { readonly status: 'SUCCEEDED' } | { readonly status: 'PARKED'; readonly category: ErrorCategory };

export interface AcceptedOrder {
  readonly label: string;
  readonly key: string;
  readonly orderId: string;
  readonly expected: Expected;
  /** The order total the pipeline must announce for this key. */
  readonly totalMinor: number;
}

export interface EdgeAnswer {
  readonly label: string;
  readonly status: number;
  readonly allowed: readonly number[];
  readonly reasons: readonly string[];
  readonly expectedReason?: string;
}

export interface ScenarioLog {
  readonly accepted: Map<string, AcceptedOrder>;
  readonly rejected: EdgeAnswer[];
  readonly duplicates: EdgeAnswer[];
  readonly keyReuse: EdgeAnswer[];
  /** Sends the client had to repeat because a fault answered 5xx. */
  retriedSends: number;
  /** Keys of the orders sent while EventBridge refused every call. */
  readonly duringEventBridgeOutage: string[];
}

export interface ScenarioHooks {
  readonly phase: (name: string) => void;
  readonly client: DemoClient;
  readonly harness: Harness;
  readonly baseFaults: FaultSettings;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ORIGINAL_TOTAL = 2 * 1_999 + 500;

/**
 * The scripted scenario of `npm run demo`: valid orders, simulated failures of each kind, every kind of
 * invalid payload, exact duplicates, a key reused for a different payload, a burst of DynamoDB faults
 * and an EventBridge outage on top of the background faults, all through the HTTP API as a client would
 * send them.
 */
export function emptyScenarioLog(): ScenarioLog {
  return { accepted: new Map(), rejected: [], duplicates: [], keyReuse: [], retriedSends: 0, duringEventBridgeOutage: [] };
}

/** Fills `log` as it goes, so progress can be shown while it runs. */
export async function runScenario(hooks: ScenarioHooks, log: ScenarioLog): Promise<void> {
  const { client, phase } = hooks;
  const submit = async (
    label: string,
    order: Record<string, unknown>,
    headers: Record<string, string>,
    expected: Expected,
  ): Promise<Answer> => {
    const answer = await client.post('/orders', JSON.stringify(order), { ...JSON_HEADERS, ...headers });
    log.retriedSends += answer.tries - 1;
    if (answer.status === 202) {
      const key = String(answer.body.idempotencyKey);
      if (!log.accepted.has(key))
        log.accepted.set(key, { label, key, orderId: String(order.orderId), expected, totalMinor: ORIGINAL_TOTAL });
    } else if (answer.status !== 200 && answer.status !== 409) {
      throw new Error(`${label}: expected 202, got ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  };

  phase('valid orders');
  await Promise.all(
    Array.from({ length: 10 }, (_, index) =>
      submit(
        `valid #${index + 1}`,
        validOrder(`demo-${index + 1}`),
        index % 2 === 0 ? { 'idempotency-key': `demo-key-${index + 1}` } : {},
        { status: 'SUCCEEDED' },
      ),
    ),
  );

  phase('simulated failures');
  const simulated: [string, string, Expected][] = [
    ['transient:2', 'transient-a', { status: 'SUCCEEDED' }],
    ['transient:2', 'transient-b', { status: 'SUCCEEDED' }],
    ['transient:3', 'transient-c', { status: 'SUCCEEDED' }],
    ['timeout:2', 'timeout-a', { status: 'SUCCEEDED' }],
    ['permanent', 'permanent-a', { status: 'PARKED', category: 'PERMANENT' }],
    ['permanent', 'permanent-b', { status: 'PARKED', category: 'PERMANENT' }],
  ];
  await Promise.all(
    simulated.map(([simulation, id, expected]) =>
      submit(`x-simulate-failure: ${simulation}`, validOrder(id), { 'x-simulate-failure': simulation }, expected),
    ),
  );

  phase('invalid payloads');
  for (const request of invalidRequests()) {
    const answer = await client.post('/orders', request.body, request.headers);
    log.rejected.push({
      label: request.name,
      status: answer.status,
      allowed: [request.status],
      reasons: reasonsOf(answer),
      expectedReason: request.reason,
    });
  }

  phase('exact duplicates');
  const firstKey = 'demo-key-1';
  await waitUntilFinished(client, firstKey);
  const again = await client.post('/orders', JSON.stringify(validOrder('demo-1')), { ...JSON_HEADERS, 'idempotency-key': firstKey });
  // 200 from the edge's lookup; 202 when a fault hid the record from it (the worker's claim then suppresses the copy).
  log.duplicates.push({
    label: 'resend of a finished order',
    status: again.status,
    allowed: [200, 202],
    reasons: [said(again.body.status ?? '')],
  });
  for (const id of ['demo-2', 'demo-4']) {
    const copy = await client.post('/orders', JSON.stringify(validOrder(id)), JSON_HEADERS);
    log.duplicates.push({
      label: `resend of ${id}`,
      status: copy.status,
      allowed: [200, 202, 409],
      reasons: [said(copy.body.status ?? copy.body.error ?? '')],
    });
  }
  const burst = await Promise.all(
    Array.from({ length: 4 }, () => submit('burst of 4 identical orders', validOrder('burst-1'), {}, { status: 'SUCCEEDED' })),
  );
  for (const answer of burst)
    log.duplicates.push({ label: 'burst of 4 identical orders', status: answer.status, allowed: [200, 202, 409], reasons: [] });

  phase('same key, different payload');
  const reused = await client.post(
    '/orders',
    JSON.stringify(validOrder('demo-1', { customerId: 'someone-else', lines: [{ sku: 'SKU-9', quantity: 9, unitPriceMinor: 9_999 }] })),
    { ...JSON_HEADERS, 'idempotency-key': firstKey },
  );
  log.keyReuse.push({
    label: 'Idempotency-Key reused for another payload',
    status: reused.status,
    allowed: [422],
    reasons: [said(reused.body.error ?? reused.body.status ?? '')],
  });

  // In the worker: the edge must reserve each key to accept an order, so there a storm is only 503s.
  phase('fault storm: every DynamoDB call of the worker fails for 1.5 s');
  hooks.harness.faults.update({ failureRate: { ...hooks.baseFaults.failureRate, dynamodb: 1 }, functions: ['worker'] });
  await Promise.all(
    Array.from({ length: 4 }, (_, index) =>
      submit(`order during the storm #${index + 1}`, validOrder(`storm-${index + 1}`), {}, { status: 'SUCCEEDED' }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  hooks.harness.faults.update({ failureRate: hooks.baseFaults.failureRate, functions: hooks.baseFaults.functions });

  phase('EventBridge outage: every PutEvents fails for 3 s; orders must not wait for it');
  hooks.harness.faults.update({ failureRate: { ...hooks.baseFaults.failureRate, eventbridge: 1 } });
  const outage = await Promise.all(
    Array.from({ length: 8 }, (_, index) =>
      submit(`order during the EventBridge outage #${index + 1}`, validOrder(`bus-down-${index + 1}`), {}, { status: 'SUCCEEDED' }),
    ),
  );
  log.duringEventBridgeOutage.push(...outage.filter((answer) => answer.status === 202).map((answer) => String(answer.body.idempotencyKey)));
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  hooks.harness.faults.update({ failureRate: hooks.baseFaults.failureRate });
}

async function waitUntilFinished(client: DemoClient, key: string): Promise<void> {
  for (let waited = 0; waited < 20_000; waited += 100) {
    const answer = await client.get(`/orders/${encodeURIComponent(key)}`);
    if (answer.status === 200 && (answer.body.status === 'SUCCEEDED' || answer.body.status === 'PARKED')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function reasonsOf(answer: Answer): string[] {
  const violations = answer.body.violations;
  if (Array.isArray(violations)) return violations.map((violation) => String((violation as { code?: unknown }).code));
  return [said(answer.body.error ?? answer.status)];
}

/** A field of an answer's JSON body as text: strings as they are, anything else as JSON. */
function said(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}
