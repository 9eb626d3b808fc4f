import { Readable } from 'node:stream';
import type {
  DeserializeHandler,
  DeserializeHandlerArguments,
  DeserializeHandlerOutput,
  HandlerExecutionContext,
  MetadataBearer,
  Pluggable,
} from '@smithy/types';
import { describeCall } from '../../adapters/aws/aws-service.js';

/** A response the service could have sent: the SDK's own deserializer turns it into its error. */
export interface HttpFault {
  readonly kind: 'http';
  readonly statusCode: number;
  /** The AWS error code, e.g. ThrottlingException, InternalFailure, AccessDeniedException. */
  readonly errorCode: string;
  readonly message?: string;
  /** More members of the error body, e.g. `Item` on a ConditionalCheckFailedException. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** A failure below HTTP, e.g. ECONNRESET or ECONNREFUSED. */
export interface NetworkFault {
  readonly kind: 'network';
  readonly code: string;
}

/**
 * A well-formed answer built from the request's input: a 200 whose body reports failed entries (SQS
 * `Failed`, PutEvents `FailedEntryCount`), the partial failures that only the adapters can see.
 */
export interface ReplyFault {
  readonly kind: 'reply';
  readonly body: (input: Readonly<Record<string, unknown>>) => unknown;
}

/**
 * PutEvents entries that fail inside a 200 answer, while the others really reach the service: the
 * chosen entries are taken out of the request and put back into the answer with their ErrorCode, in
 * their places. The request body is rewritten after signing, so this is for emulators only.
 */
export interface PutEventsEntryFault {
  readonly kind: 'putEventsEntries';
  /** Called once per entry of each request: an ErrorCode to fail it with, or undefined to send it. */
  readonly errorCodeFor: (entry: Readonly<Record<string, unknown>>) => string | undefined;
}

export type Fault = HttpFault | NetworkFault | ReplyFault | PutEventsEntryFault;

export interface FaultRule {
  readonly fault: Fault;
  readonly service?: string;
  readonly operation?: string;
  /** How many matching requests fail; unlimited when absent. */
  readonly times?: number;
}

interface ClientWithStack {
  readonly middlewareStack: { use(pluggable: Pluggable<object, MetadataBearer>): void };
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

/**
 * Replaces matching HTTP requests with a fault, inside the SDK's retry loop and below its deserializer,
 * so retries, error parsing and `$metadata` behave as they would against a failing service. Used by the
 * fault specs and the local harness; never attached in production.
 */
export class FaultInjector {
  private rules: ActiveRule[] = [];
  private injected = 0;

  attach(client: ClientWithStack): this {
    client.middlewareStack.use({
      applyToStack: (stack) => {
        stack.add(
          (next: DeserializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
            async (args: DeserializeHandlerArguments<object>) => {
              const fault = this.take(describeCall(context));
              if (fault === undefined) return next(args);
              this.injected += 1;
              if (fault.kind === 'network') throw Object.assign(new Error(`injected ${fault.code}`), { code: fault.code });
              if (fault.kind === 'putEventsEntries') return failPutEventsEntries(fault, args, next);
              const response = fault.kind === 'http' ? httpResponse(fault) : replyResponse(fault, args.input as Record<string, unknown>);
              return { response, output: {} as MetadataBearer };
            },
          { step: 'deserialize', priority: 'low', name: 'pipelineFaultInjector', override: true },
        );
      },
    });
    return this;
  }

  inject(rule: FaultRule): this {
    this.rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** Requests replaced by a fault so far. */
  injectedCount(): number {
    return this.injected;
  }

  private take(call: { readonly service: string; readonly operation: string }): Fault | undefined {
    const active = this.rules.find(
      ({ rule, remaining }) =>
        remaining > 0 &&
        (rule.service === undefined || rule.service === call.service) &&
        (rule.operation === undefined || rule.operation === call.operation),
    );
    if (active === undefined) return undefined;
    active.remaining -= 1;
    return active.rule.fault;
  }
}

interface RawRequest {
  body?: unknown;
  headers: Record<string, string>;
}

/** Newer SDK codecs hand the body over as bytes; calling a string method on them is deprecated. */
function bodyText(body: unknown): string {
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  return typeof body === 'string' ? body : String(body);
}

async function failPutEventsEntries(
  fault: PutEventsEntryFault,
  args: DeserializeHandlerArguments<object>,
  next: DeserializeHandler<object, MetadataBearer>,
): Promise<DeserializeHandlerOutput<MetadataBearer>> {
  const request = args.request as RawRequest;
  const parsed = JSON.parse(bodyText(request.body)) as { Entries?: Record<string, unknown>[] };
  const entries = parsed.Entries ?? [];
  const codes = entries.map((entry) => fault.errorCodeFor(entry));
  const passing = entries.filter((_, index) => codes[index] === undefined);
  const failedEntry = (code: string) => ({ ErrorCode: code, ErrorMessage: `injected ${code}` });
  if (passing.length === 0) {
    const body = { FailedEntryCount: entries.length, Entries: codes.map((code) => failedEntry(code ?? 'InternalFailure')) };
    return { response: jsonResponse(200, 'OK', JSON.stringify(body), {}), output: {} as MetadataBearer };
  }
  const body = JSON.stringify({ ...parsed, Entries: passing });
  setHeader(request.headers, 'content-length', String(Buffer.byteLength(body)));
  request.body = body;
  const result = await next(args);
  const response = result.response as RawResponse;
  if (response.statusCode !== 200) return result;
  const answered = JSON.parse(await readAll(response.body)) as { FailedEntryCount?: number; Entries?: Record<string, unknown>[] };
  const results = [...(answered.Entries ?? [])];
  const merged = codes.map((code) => (code === undefined ? (results.shift() ?? failedEntry('InternalFailure')) : failedEntry(code)));
  const mergedBody = JSON.stringify({
    ...answered,
    FailedEntryCount: merged.filter((entry) => 'ErrorCode' in entry).length,
    Entries: merged,
  });
  return { ...result, response: jsonResponse(200, 'OK', mergedBody, {}) };
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  const existing = Object.keys(headers).find((key) => key.toLowerCase() === name);
  headers[existing ?? name] = value;
}

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

interface RawResponse {
  readonly statusCode: number;
  readonly reason: string;
  readonly headers: Record<string, string>;
  readonly body: Readable;
}

function httpResponse(fault: HttpFault): RawResponse {
  const body = JSON.stringify({ ...fault.fields, __type: fault.errorCode, message: fault.message ?? `injected ${fault.errorCode}` });
  return jsonResponse(fault.statusCode, fault.errorCode, body, {
    'x-amzn-errortype': fault.errorCode,
    'x-amzn-query-error': `${fault.errorCode};${fault.statusCode < 500 ? 'Sender' : 'Receiver'}`,
  });
}

function replyResponse(fault: ReplyFault, input: Record<string, unknown>): RawResponse {
  return jsonResponse(200, 'OK', JSON.stringify(fault.body(input)), {});
}

function jsonResponse(statusCode: number, reason: string, body: string, headers: Record<string, string>): RawResponse {
  return {
    statusCode,
    reason,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'content-length': String(Buffer.byteLength(body)), ...headers },
    body: Readable.from([Buffer.from(body)]),
  };
}
