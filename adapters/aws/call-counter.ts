import type { DeserializeHandler, DeserializeHandlerArguments, HandlerExecutionContext, MetadataBearer, Pluggable } from '@smithy/types';
import { describeCall } from './aws-service.js';

interface ClientWithStack {
  readonly middlewareStack: { use(pluggable: Pluggable<object, MetadataBearer>): void };
}

/**
 * Counts the HTTP requests that leave the process, per service and operation. It sits inside the SDK's
 * retry loop, so an SDK retry counts as another request, and a call a circuit breaker refused never
 * reaches it: the counts are what AWS would bill and throttle.
 */
export class CallCounter {
  private readonly calls = new Map<string, Map<string, number>>();

  attach(client: ClientWithStack): this {
    client.middlewareStack.use({
      applyToStack: (stack) => {
        stack.add(
          (next: DeserializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
            (args: DeserializeHandlerArguments<object>) => {
              const { service, operation } = describeCall(context);
              this.increment(service, operation);
              return next(args);
            },
          { step: 'deserialize', priority: 'high', name: 'pipelineCallCounter', override: true },
        );
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
