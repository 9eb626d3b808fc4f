import type { Logger } from '../../application/ports/logger.js';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { RedeliverReport } from '../../application/use-cases/redeliver-outbox.js';
import type { RedriveReport } from '../../application/use-cases/redrive-dead-letters.js';
import type { Backend } from '../backends/backend.js';
import type { ConsumptionLog } from '../observation/consumption-log.js';
import type { EventLog } from '../observation/event-log.js';
import { parseFaultUpdate } from '../faults/fault-update.js';
import type { FaultInjection } from '../faults/faults.js';
import { jsonResponse, type Route } from './http-server.js';
import { lambdaRoute, type HttpApiFunction } from './lambda-route.js';
import type { MetricsSnapshot } from '../observation/metrics-snapshot.js';
import type { OrderObservation } from '../observation/order-observations.js';
import type { ReplayAnswer } from '../pipeline/operator-actions.js';
import { statusPage } from '../observation/status-page.js';
import { openApiDocument, type ApiTopology } from '../../handlers/http/openapi.js';
import { integerBetween, matching } from '../../handlers/http/query.js';
import { IDEMPOTENCY_KEY } from '../../handlers/http/request.js';
import { orderView } from '../../handlers/http/order-view.js';

export interface RouteDependencies {
  readonly ingest: HttpApiFunction;
  /** Topology `both`: POST /orchestrated/orders, the ingest workflow (POST /orders stays the composed ingest). */
  readonly orchestratedIngest?: HttpApiFunction;
  readonly validate: HttpApiFunction;
  readonly publish: HttpApiFunction;
  readonly httpTimeoutMs: number;
  /** Which routes /openapi.json describes. */
  readonly topology: ApiTopology;
  readonly backend: Backend;
  readonly events: EventLog;
  readonly consumption: ConsumptionLog;
  readonly faults: FaultInjection;
  readonly snapshot: () => Promise<MetricsSnapshot>;
  /** Every order as the harness observes it (GET /admin/orders): what fault scenarios check. */
  readonly orders: () => Promise<readonly OrderObservation[]>;
  readonly redrive: () => Promise<RedriveReport>;
  readonly replay: (input: unknown) => Promise<ReplayAnswer>;
  readonly redeliverOutbox: (force: boolean) => Promise<RedeliverReport>;
  readonly now: () => number;
  readonly logger: Logger;
}

const DEFAULT_EVENT_LIMIT = 100;
const MAX_EVENT_LIMIT = 1_000;
const EVENT_QUERY = [
  matching('type', /^[A-Za-z][A-Za-z0-9.]{0,127}$/, 'an event type such as OrderProcessed'),
  matching('idempotencyKey', IDEMPOTENCY_KEY, '1–128 characters of letters, digits and . _ : -'),
  integerBetween('limit', 1, MAX_EVENT_LIMIT),
];

/** The harness' HTTP API: the pipeline's routes (real Lambda events), then what a developer needs to watch and steer it. */
export function harnessRoutes(deps: RouteDependencies): Route[] {
  const timeout = deps.httpTimeoutMs;
  return [
    lambdaRoute('POST', '/orders', 'ingest', deps.ingest, timeout, deps.logger),
    ...(deps.orchestratedIngest === undefined
      ? []
      : [lambdaRoute('POST', '/orchestrated/orders', 'orchestrated-ingest', deps.orchestratedIngest, timeout, deps.logger)]),
    lambdaRoute('POST', '/validate', 'validate', deps.validate, timeout, deps.logger),
    lambdaRoute('POST', '/publish', 'publish', deps.publish, timeout, deps.logger),
    {
      method: 'GET',
      path: '/orders/{idempotencyKey}',
      handle: async (request) => {
        const key = request.pathParameters?.idempotencyKey ?? '';
        const record = await deps.backend.record(key, deps.now());
        if (record === undefined) return jsonResponse(404, { message: `no order with idempotency key ${key}` });
        // The harness' own observations of this record, not of an earlier one of the key (a journal older than the table).
        const events = deps.events
          .all()
          .filter((event) => event.detail.idempotencyKey === key && event.time >= record.createdAt)
          .map(eventView);
        // The deployed status function's view (handlers/status.ts), read without the injected faults (the
        // harness observes the pipeline), plus what only the harness knows: the consumer and the events seen.
        return jsonResponse(200, { ...orderView(record), consumedBy: deps.consumption.of(key, record.createdAt), events });
      },
    },
    {
      method: 'GET',
      path: '/events',
      query: EVENT_QUERY,
      handle: async (request) => {
        // The server checked the query against EVENT_QUERY: limit, when given, is a whole number in range.
        const query = new URLSearchParams(request.rawQueryString);
        const type = query.get('type');
        const key = query.get('idempotencyKey');
        const limit = Number(query.get('limit') ?? DEFAULT_EVENT_LIMIT);
        const matching = deps.events
          .all()
          .filter((event) => (type === null || event.detailType === type) && (key === null || event.detail.idempotencyKey === key));
        return jsonResponse(200, { total: matching.length, events: matching.slice(-limit).map(eventView) });
      },
    },
    {
      method: 'POST',
      path: '/admin/redrive',
      handle: async () => {
        try {
          return jsonResponse(200, await deps.redrive());
        } catch (error) {
          return jsonResponse(500, { message: error instanceof Error ? error.message : String(error) });
        }
      },
    },
    {
      method: 'POST',
      path: '/admin/replay',
      handle: async (request) => {
        let body: unknown;
        try {
          body = JSON.parse(request.body.toString('utf8') || '{}');
        } catch {
          return jsonResponse(400, { message: 'the body must be JSON: {"keys":[…]} or {"category":"PERMANENT","limit":50}' });
        }
        const answer = await deps.replay(body);
        return answer.statusCode === 200 ? jsonResponse(200, answer.report) : jsonResponse(answer.statusCode, { message: answer.message });
      },
    },
    {
      method: 'POST',
      path: '/admin/redeliver-outbox',
      handle: async (request) => {
        const force = /"force"\s*:\s*true/.test(request.body.toString('utf8'));
        try {
          return jsonResponse(200, await deps.redeliverOutbox(force));
        } catch (error) {
          return jsonResponse(500, { message: error instanceof Error ? error.message : String(error) });
        }
      },
    },
    {
      method: 'GET',
      path: '/admin/orders',
      handle: async () => jsonResponse(200, { orders: await deps.orders() }, { 'cache-control': 'no-store' }),
    },
    {
      // What a scenario waits on, cheaply: the queues' depths and how many records are not yet settled or still owe events.
      method: 'GET',
      path: '/admin/progress',
      handle: async () =>
        jsonResponse(
          200,
          { ...(await deps.backend.depths()), records: await deps.backend.progress(deps.now()) },
          { 'cache-control': 'no-store' },
        ),
    },
    { method: 'GET', path: '/admin/faults', handle: async () => jsonResponse(200, { ...deps.faults.settings(), ...deps.faults.counts() }) },
    {
      method: 'PUT',
      path: '/admin/faults',
      handle: async (request) => {
        let body: unknown;
        try {
          body = JSON.parse(request.body.toString('utf8'));
        } catch {
          return jsonResponse(400, { message: 'the body must be JSON' });
        }
        const parsed = parseFaultUpdate(body);
        if ('problems' in parsed) return jsonResponse(400, { message: 'invalid fault settings', problems: parsed.problems });
        deps.faults.update(parsed.update);
        deps.logger.warn('fault settings changed', { ...deps.faults.settings() });
        return jsonResponse(200, { ...deps.faults.settings(), ...deps.faults.counts() });
      },
    },
    { method: 'GET', path: '/metrics', handle: async () => jsonResponse(200, await deps.snapshot(), { 'cache-control': 'no-store' }) },
    { method: 'GET', path: '/openapi.json', handle: async () => jsonResponse(200, openApiDocument(undefined, deps.topology)) },
    { method: 'GET', path: '/healthz', handle: async () => jsonResponse(200, { ok: true }) },
    {
      method: 'GET',
      path: '/',
      handle: async () => ({
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        body: statusPage(),
      }),
    },
  ];
}

function eventView(event: PipelineEvent): Record<string, unknown> {
  return {
    eventId: event.eventId,
    source: event.source,
    detailType: event.detailType,
    time: new Date(event.time).toISOString(),
    detail: event.detail,
  };
}
