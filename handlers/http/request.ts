import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { FieldViolation } from '../../domain/order.js';
import { parseSimulation, SIMULATION_HEADER, type FailureSimulation } from '../../application/orders/failure-simulation.js';
import { badRequest, json, type HttpResponse } from './response.js';

export interface ParsedRequest {
  readonly body: unknown;
  readonly correlationId: string;
  readonly idempotencyKey?: string;
  readonly simulation?: FailureSimulation;
}

export interface RequestRules {
  readonly maxBodyBytes: number;
  readonly allowFailureSimulation: boolean;
}

export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The body's own field-level reasons (pure: it must touch nothing), so that a 400 for a bad header lists them too. */
export type BodyCheck = (body: unknown) => readonly FieldViolation[];

/**
 * Turns an API Gateway HTTP API (payload 2.0) event into a parsed request, or into the response that
 * refuses it: 415 for a body that is not JSON, 400 with every reason otherwise. Nothing behind the
 * edge is touched for a refused request.
 */
export function parseJsonRequest(
  event: APIGatewayProxyEventV2,
  rules: RequestRules,
  checkBody: BodyCheck = () => [],
): ParsedRequest | HttpResponse {
  const headers = lowerCaseHeaders(event.headers);
  const correlationId = pickCorrelationId(headers, event.requestContext?.requestId);
  const contentType = headers['content-type'] ?? '';
  if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    return json(
      415,
      { error: 'UNSUPPORTED_MEDIA_TYPE', message: 'content-type must be application/json', correlationId },
      { 'x-correlation-id': correlationId },
    );
  }
  const violations: FieldViolation[] = [];
  const idempotencyKey = headers['idempotency-key'];
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    violations.push({
      path: 'headers.idempotency-key',
      code: 'HEADER.INVALID',
      message: 'Idempotency-Key must be 1–128 characters of letters, digits and . _ : -',
    });
  }
  const simulation = readSimulation(headers[SIMULATION_HEADER], rules, violations);
  const raw =
    event.body === undefined || event.body === null
      ? ''
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const size = Buffer.byteLength(raw, 'utf8');
  if (size > rules.maxBodyBytes) {
    violations.push({ path: 'body', code: 'BODY.TOO_LARGE', message: `body is ${size} bytes; the limit is ${rules.maxBodyBytes}` });
    return badRequest(violations, correlationId);
  }
  if (raw.trim() === '') {
    violations.push({ path: 'body', code: 'BODY.EMPTY', message: 'body must be a JSON object' });
    return badRequest(violations, correlationId);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    violations.push({ path: 'body', code: 'BODY.MALFORMED_JSON', message: `body is not valid JSON: ${(error as Error).message}` });
    return badRequest(violations, correlationId);
  }
  if (violations.length > 0) return badRequest([...violations, ...checkBody(body)], correlationId);
  return {
    body,
    correlationId,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(simulation === undefined ? {} : { simulation }),
  };
}

/** The violations of a failed validation result, none of a passed one. */
export function violationsOf(
  result: { readonly ok: true } | { readonly ok: false; readonly violations: readonly FieldViolation[] },
): readonly FieldViolation[] {
  return result.ok ? [] : result.violations;
}

export function isResponse(value: ParsedRequest | HttpResponse): value is HttpResponse {
  return 'statusCode' in value;
}

function readSimulation(value: string | undefined, rules: RequestRules, violations: FieldViolation[]): FailureSimulation | undefined {
  if (value === undefined) return undefined;
  if (!rules.allowFailureSimulation) {
    violations.push({
      path: `headers.${SIMULATION_HEADER}`,
      code: 'SIMULATION.DISABLED',
      message: 'failure simulation is disabled in this environment',
    });
    return undefined;
  }
  const parsed = parseSimulation(value);
  if (typeof parsed === 'string') {
    violations.push({ path: `headers.${SIMULATION_HEADER}`, code: 'SIMULATION.INVALID', message: parsed });
    return undefined;
  }
  return parsed;
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) result[name.toLowerCase()] = value;
  return result;
}

/** The request's correlation id: the client's `x-correlation-id` when well-formed, else API Gateway's request id. */
export function correlationIdOf(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): string {
  return pickCorrelationId(lowerCaseHeaders(event.headers), event.requestContext?.requestId);
}

/** The correlation id of a request with lower-cased `headers`: the client's when well-formed, else `requestId`. */
export function pickCorrelationId(headers: Readonly<Record<string, string>>, requestId: string | undefined): string {
  const offered = headers['x-correlation-id'];
  if (offered !== undefined && CORRELATION_ID.test(offered)) return offered;
  return requestId ?? 'unknown';
}
