import type { APIGatewayProxyEventV2, ScheduledEvent, SQSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const EVENTS = join(dirname(fileURLToPath(import.meta.url)), 'events');

function load<T>(name: string): T {
  return JSON.parse(readFileSync(join(EVENTS, name), 'utf8')) as T;
}

export interface HttpEventChanges {
  /** Raw body; undefined leaves the sample's body, null removes it. */
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  /** Header values to set; undefined removes the header. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly routeKey?: string;
}

/** The API Gateway HTTP API (payload 2.0) sample, changed as asked: a fresh copy every time. */
export function httpEvent(changes: HttpEventChanges = {}): APIGatewayProxyEventV2 {
  const event = load<APIGatewayProxyEventV2>('api-gateway-http-post-order.json');
  const headers: Record<string, string | undefined> = { ...event.headers };
  for (const [name, value] of Object.entries(changes.headers ?? {})) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  const { body: _sampleBody, ...rest } = event;
  return {
    ...rest,
    headers,
    ...(changes.routeKey === undefined ? {} : { routeKey: changes.routeKey, rawPath: changes.routeKey.split(' ')[1] ?? event.rawPath }),
    ...(changes.body === null ? {} : { body: changes.body ?? event.body }),
    isBase64Encoded: changes.isBase64Encoded ?? false,
  };
}

/** The sample order the HTTP event carries, parsed. */
export function sampleOrderBody(): Record<string, unknown> {
  return JSON.parse(load<APIGatewayProxyEventV2>('api-gateway-http-post-order.json').body ?? '{}') as Record<string, unknown>;
}

/** Three records: a valid order, one whose first attempt fails transiently, one with a truncated body. */
export function sqsOrderBatch(): SQSEvent {
  return load<SQSEvent>('sqs-order-batch.json');
}

/** What an EventBridge rule on a schedule sends. */
export function scheduledEvent(): ScheduledEvent {
  return load<ScheduledEvent>('scheduled-event.json');
}

/** What EventBridge Scheduler sends with the default input of a Lambda target. */
export function schedulerInvocation(): Record<string, never> {
  return load<Record<string, never>>('scheduler-invocation.json');
}
