import type { DeserializeHandler, HandlerExecutionContext, InitializeHandler, MetadataBearer, Pluggable } from '@smithy/types';
import { describeCall } from '../../adapters/aws/aws-service.js';

interface ClientWithStack {
  readonly middlewareStack: { use(pluggable: Pluggable<object, MetadataBearer>): void };
}

/**
 * Counts, per service and operation, either the HTTP requests that leave the process (`requests`, the
 * default: inside the SDK's retry loop, so an SDK retry counts as another request; what AWS would bill
 * and throttle) or the calls the code makes (`calls`: one per `client.send`, whatever the SDK retries;
 * what a benchmark on a slow emulator can count without its timeouts multiplying the figures). A call a
 * circuit breaker refused reaches neither.
 */
export class CallCounter {
  private readonly calls = new Map<string, Map<string, number>>();

  constructor(private readonly unit: 'requests' | 'calls' = 'requests') {}

  attach(client: ClientWithStack): this {
    const count =
      <A, R>(next: (args: A) => R, context: HandlerExecutionContext) =>
      (args: A): R => {
        const { service, operation } = describeCall(context);
        this.increment(service, operation);
        return next(args);
      };
    client.middlewareStack.use({
      applyToStack: (stack) => {
        if (this.unit === 'requests') {
          stack.add((next: DeserializeHandler<object, MetadataBearer>, context) => count(next, context), {
            step: 'deserialize',
            priority: 'high',
            name: 'pipelineCallCounter',
            override: true,
          });
        } else {
          stack.add((next: InitializeHandler<object, MetadataBearer>, context) => count(next, context), {
            step: 'initialize',
            priority: 'high',
            name: 'pipelineSendCounter',
            override: true,
          });
        }
      },
    });
    return this;
  }

  counts(): Record<string, Record<string, number>> {
    const result: Record<string, Record<string, number>> = {};
    for (const [service, operations] of this.calls) result[service] = Object.fromEntries(operations);
    return result;
  }

  total(service?: string): number {
    let sum = 0;
    for (const [name, operations] of this.calls) {
      if (service !== undefined && name !== service) continue;
      for (const count of operations.values()) sum += count;
    }
    return sum;
  }

  reset(): void {
    this.calls.clear();
  }

  private increment(service: string, operation: string): void {
    const operations = this.calls.get(service) ?? new Map<string, number>();
    operations.set(operation, (operations.get(operation) ?? 0) + 1);
    this.calls.set(service, operations);
  }
}
