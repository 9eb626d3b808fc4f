import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../application/ports/logger.js';
import { queryViolations, type QueryParameter } from '../../handlers/http/query.js';
import { pickCorrelationId } from '../../handlers/http/request.js';
import type { IncomingRequest } from '../emulation/lambda/api-gateway-event.js';

export interface RouteResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT';
  /** `/orders/{idempotencyKey}`: a `{name}` segment matches one path segment. */
  readonly path: string;
  /** A GET's query parameters: any other, or a value refused, is a 400 with the reasons before `handle` runs. */
  readonly query?: readonly QueryParameter[];
  handle(request: IncomingRequest): Promise<RouteResponse>;
}

/** API Gateway's HTTP API refuses larger payloads. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
export const LOCALHOST = '127.0.0.1';

/**
 * A tiny router over node:http, bound to 127.0.0.1 only. A route that throws answers 500; the server goes
 * on. Every answer carries `x-correlation-id` (the route's own, else the client's when well-formed, else
 * the request id), and a GET's query string is checked against the parameters the route takes.
 */
export class HttpServer {
  private readonly server: Server;
  private closing = false;

  constructor(
    private readonly routes: readonly Route[],
    private readonly logger: Logger,
  ) {
    this.server = createServer((request, response) => {
      void this.serve(request, response);
    });
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, LOCALHOST, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * Stops accepting connections and closes idle ones; requests in progress finish, and their answers close
   * their connections, which a client would otherwise keep alive and hold the close open with. Resolves
   * once every connection has ended, so whatever the routes accepted is known to the caller by then.
   */
  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(request.url ?? '/', `http://${LOCALHOST}`);
    const requestId = randomUUID();
    const correlationId = pickCorrelationId(joinedHeaders(request), requestId);
    let answer: RouteResponse;
    try {
      answer = await this.answer(request, url, requestId, correlationId, started);
    } catch (error) {
      this.logger.error('route failed', { path: url.pathname, error: error instanceof Error ? error.message : String(error) });
      answer = jsonResponse(500, { message: 'Internal Server Error' });
    }
    response.writeHead(answer.statusCode, {
      'content-length': String(Buffer.byteLength(answer.body)),
      'apigw-requestid': requestId,
      'x-correlation-id': correlationId,
      ...answer.headers,
      ...(this.closing ? { connection: 'close' } : {}),
    });
    response.end(answer.body);
    if (url.pathname !== '/metrics') {
      this.logger.info('http request', {
        method: request.method,
        path: url.pathname,
        statusCode: answer.statusCode,
        durationMs: Date.now() - started,
        requestId,
      });
    }
  }

  private async answer(request: IncomingMessage, url: URL, requestId: string, correlationId: string, now: number): Promise<RouteResponse> {
    const matching = this.routes
      .map((route) => ({ route, parameters: match(route.path, url.pathname) }))
      .filter((candidate) => candidate.parameters !== undefined);
    if (matching.length === 0) return jsonResponse(404, { message: 'Not Found' });
    const chosen = matching.find((candidate) => candidate.route.method === request.method);
    if (chosen === undefined)
      return jsonResponse(
        405,
        { message: 'Method Not Allowed' },
        { allow: matching.map((candidate) => candidate.route.method).join(', ') },
      );
    if (chosen.route.method === 'GET') {
      const violations = queryViolations(url.search.replace(/^\?/, ''), chosen.route.query);
      if (violations.length > 0)
        return jsonResponse(400, { error: 'VALIDATION', message: 'the request is invalid', correlationId, violations });
    }
    const body = await readBody(request);
    if (body === undefined) return jsonResponse(413, { message: 'Request Entity Too Large' });
    return chosen.route.handle({
      method: request.method ?? 'GET',
      path: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers: joinedHeaders(request),
      body,
      sourceIp: request.socket.remoteAddress ?? LOCALHOST,
      requestId,
      now,
      ...(chosen.parameters === undefined || Object.keys(chosen.parameters).length === 0 ? {} : { pathParameters: chosen.parameters }),
    });
  }
}

export function jsonResponse(statusCode: number, body: unknown, headers: Readonly<Record<string, string>> = {}): RouteResponse {
  return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const expected = pattern.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of expected.entries()) {
    const value = actual[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (name !== undefined) {
      if (value === '') return undefined;
      parameters[name] = decodeURIComponent(value);
    } else if (segment !== value) return undefined;
  }
  return parameters;
}

function joinedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return headers;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const part = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += part.length;
    if (size > MAX_BODY_BYTES) return undefined;
    parts.push(part);
  }
  return Buffer.concat(parts);
}
