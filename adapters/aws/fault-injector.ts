import { Readable } from 'node:stream';
import type { DeserializeHandler, DeserializeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from '@smithy/types';
import { describeCall } from './aws-service.js';

/** A response the service could have sent: the SDK's own deserializer turns it into its error. */
export interface HttpFault {
  readonly kind: 'http';
  readonly statusCode: number;
  /** The AWS error code, e.g. ThrottlingException, InternalFailure, AccessDeniedException. */
  readonly errorCode: string;
  readonly message?: string;
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

export type Fault = HttpFault | NetworkFault | ReplyFault;

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

interface RawResponse {
  readonly statusCode: number;
  readonly reason: string;
  readonly headers: Record<string, string>;
  readonly body: Readable;
}

function httpResponse(fault: HttpFault): RawResponse {
  const body = JSON.stringify({ __type: fault.errorCode, message: fault.message ?? `injected ${fault.errorCode}` });
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
