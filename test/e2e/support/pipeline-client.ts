import type { MetricsSnapshot } from '../../../harness/observation/metrics-snapshot.js';
import { waitFor } from './wait-for.js';

export interface HttpAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface OrderView {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly status: 'ACCEPTED' | 'INFLIGHT' | 'RETRY' | 'SUCCEEDED' | 'PARKED';
  readonly attempts: number;
  readonly lastErrorCategory: string | null;
  readonly lastError: { readonly category: string; readonly code: string } | null;
  /** Messages of the order each consumer (worker, consume-pipe) acknowledged. */
  readonly consumedBy: Readonly<Record<string, number>>;
  readonly events: readonly { readonly eventId: string; readonly detailType: string; readonly detail: Record<string, unknown> }[];
  /** The record's outbox: each committed event and whether the relay delivered it. */
  readonly outbox: readonly { readonly eventId: string; readonly detailType: string; readonly delivered: boolean }[];
  readonly replays?: number;
}

export interface EventView {
  readonly eventId: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
}

/** Drives a running harness over HTTP, as a developer with curl would. */
export class PipelineClient {
  constructor(readonly baseUrl: string) {}

  async postOrder(order: unknown, headers: Readonly<Record<string, string>> = {}, path = '/orders'): Promise<HttpAnswer> {
    return this.request('POST', path, JSON.stringify(order), { 'content-type': 'application/json', ...headers });
  }

  async order(idempotencyKey: string): Promise<HttpAnswer<OrderView>> {
    return this.request<OrderView>('GET', `/orders/${encodeURIComponent(idempotencyKey)}`);
  }

  async events(query: Readonly<Record<string, string>> = {}): Promise<readonly EventView[]> {
    const answer = await this.request('GET', `/events?${new URLSearchParams({ limit: '1000', ...query }).toString()}`);
    return answer.body.events as EventView[];
  }

  async metrics(): Promise<MetricsSnapshot> {
    return (await this.request<MetricsSnapshot>('GET', '/metrics')).body;
  }

  /** GET /admin/progress: the queues' depths, and how many live records are unsettled or still owe events. */
  async progress(): Promise<{
    orders: { visible: number; inFlight: number; delayed: number };
    records: { records: number; unsettled: number; owingEvents: number };
  }> {
    return (await this.request('GET', '/admin/progress')).body as never;
  }

  async redrive(): Promise<HttpAnswer> {
    return this.request('POST', '/admin/redrive');
  }

  async setFaults(settings: Record<string, unknown>): Promise<HttpAnswer> {
    return this.request('PUT', '/admin/faults', JSON.stringify(settings), { 'content-type': 'application/json' });
  }

  /**
   * Polls GET /orders/{key} until the order reaches one of `statuses` and, unless `announced` is false,
   * the outbox relay has delivered every event its record committed (the events then show on the bus).
   */
  async waitForStatus(
    idempotencyKey: string,
    statuses: readonly OrderView['status'][],
    timeoutMs = 15_000,
    announced = true,
  ): Promise<OrderView> {
    return waitFor(
      `order ${idempotencyKey} to be ${statuses.join(' or ')}${announced ? ', its events delivered' : ''}`,
      async () => {
        const answer = await this.order(idempotencyKey);
        if (answer.status !== 200 || !statuses.includes(answer.body.status)) return undefined;
        return !announced || answer.body.outbox.every((entry) => entry.delivered) ? answer.body : undefined;
      },
      timeoutMs,
    );
  }

  /** POST /admin/replay: `{keys}` or `{category, limit}`. */
  async replay(request: Record<string, unknown>): Promise<HttpAnswer> {
    return this.request('POST', '/admin/replay', JSON.stringify(request), { 'content-type': 'application/json' });
  }

  /** The body is JSON as the harness answers it; T only names its expected shape (tests assert on it). */
  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: string,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<HttpAnswer<T>> {
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: T;
    try {
      parsed = JSON.parse(text) as T;
    } catch {
      parsed = { text } as T;
    }
    return { status: response.status, headers: response.headers, body: parsed };
  }
}
