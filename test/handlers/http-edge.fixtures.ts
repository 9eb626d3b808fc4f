import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { ClaimDecision, ClaimRequest, IdempotencyRecord } from '../../domain/idempotency.js';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { createPublishHandler } from '../../handlers/publish.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { PipelineFixture, type PipelineFixtureOptions } from '../support/pipeline-fixture.js';
import { httpEvent } from './lambda-events.js';

/** Counts every call, to prove a refused request reached nothing behind the edge. */
export class CountingStore extends MemoryIdempotencyStore {
  calls = 0;
  override async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.calls += 1;
    return super.claim(request);
  }
  override async get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    this.calls += 1;
    return super.get(key, now);
  }
}

export interface Edge {
  readonly fixture: PipelineFixture;
  readonly store: CountingStore;
  readonly call: (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;
}

export type HandlerFactory = (fixture: PipelineFixture) => (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** Every HTTP function answers with an HttpResponse; the step-task overloads of validate and publish are not used here. */
export const HANDLERS: ReadonlyArray<{
  readonly name: string;
  readonly route: string;
  readonly success: number;
  readonly create: HandlerFactory;
}> = [
  { name: 'ingest', route: 'POST /orders', success: 202, create: (f) => createIngestHandler(() => f.container) },
  {
    name: 'validate',
    route: 'POST /validate',
    success: 200,
    create: (f) => async (event) => (await createValidateHandler(() => f.container)(event)) as HttpResponse,
  },
  {
    name: 'publish',
    route: 'POST /publish',
    success: 202,
    create: (f) => async (event) => (await createPublishHandler(() => f.container)(event)) as HttpResponse,
  },
];

export interface ErrorBody {
  readonly error: string;
  readonly correlationId: string;
  readonly violations: ReadonlyArray<{ readonly path: string; readonly code: string; readonly message: string }>;
}

export function bodyOf(response: HttpResponse): ErrorBody {
  return JSON.parse(response.body) as ErrorBody;
}

export function codes(response: HttpResponse): string[] {
  return bodyOf(response).violations.map((v) => v.code);
}

/** One handler's edge, over a fixture whose store counts its calls. */
export function edgeOf(create: HandlerFactory, options: PipelineFixtureOptions = {}): Edge {
  const store = new CountingStore();
  const fixture = new PipelineFixture({ ...options, store });
  return { fixture, store, call: create(fixture) };
}

/** A request to `route`, as API Gateway's HTTP API hands it over. */
export function requestTo(
  route: string,
  body: string | null,
  headers: Record<string, string | undefined> = {},
  isBase64Encoded = false,
): APIGatewayProxyEventV2 {
  return httpEvent({ body, headers, isBase64Encoded, routeKey: route });
}

/** "Nothing behind it is touched": no message, no event, no store call. */
export function expectUntouched({ fixture, store }: Edge): void {
  expect(fixture.orderQueue(), 'order queue').to.deep.equal([]);
  expect(fixture.events(), 'events').to.deep.equal([]);
  expect(store.calls, 'idempotency store calls').to.equal(0);
}
