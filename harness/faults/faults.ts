import { SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import type { Random } from '../../application/ports/random.js';
import { currentInvocation, never } from '../emulation/lambda/invocation.js';
import type { CrashPoint } from './fault-vocabulary.js';

export interface FaultSettings {
  /** Probability that a call to the service fails. */
  readonly failureRate: Partial<Record<ServiceName, number>>;
  /** Added before every call to the service. */
  readonly latencyMs: Partial<Record<ServiceName, number>>;
  /** Probability that a worker dies at the point. */
  readonly crashAfter: Partial<Record<CrashPoint, number>>;
  /** Only calls made by these functions (invocation names: ingest, worker, redrive, …) are touched; all when absent. */
  readonly functions?: readonly string[];
  /** Only these API operations (as the fault decorators name them: ChangeMessageVisibilityBatch, PutItem, …) fail; all when absent. Latency still applies to every call. */
  readonly operations?: readonly string[];
}

export interface FaultCounts {
  readonly injected: Readonly<Record<ServiceName, number>>;
  readonly crashes: number;
}

/** The error each service answers when it is unwell, as the AWS SDK v3 raises it. */
const SERVICE_FAILURES: Readonly<Record<ServiceName, { readonly name: string; readonly status: number }>> = {
  dynamodb: { name: 'InternalServerError', status: 500 },
  sqs: { name: 'ServiceUnavailable', status: 503 },
  eventbridge: { name: 'InternalException', status: 500 },
};

/**
 * Shaped like an AWS SDK v3 service exception (`name`, `$fault`, `$metadata.httpStatusCode`), so the
 * one classifier calls it TRANSIENT and the breakers count it, exactly as a real 5xx.
 */
export class InjectedServiceError extends Error {
  readonly $fault = 'server' as const;
  readonly $metadata: {
    readonly httpStatusCode: number;
    readonly requestId: string;
    readonly attempts: number;
    readonly totalRetryDelay: number;
  };

  constructor(service: ServiceName, operation: string, sequence: number) {
    const failure = SERVICE_FAILURES[service];
    super(`injected fault: ${service} ${operation} answered ${failure.status} ${failure.name}`);
    this.name = failure.name;
    this.$metadata = { httpStatusCode: failure.status, requestId: `injected-${sequence}`, attempts: 1, totalRetryDelay: 0 };
  }
}

/**
 * Decides, from one seeded random sequence, which calls fail, how long they wait and where a worker
 * dies. A probability of 0 draws nothing, so enabling a fault for one service does not shift the others'.
 * Settings can be changed while running (PUT /admin/faults).
 */
export class FaultInjection {
  private current: FaultSettings;
  private readonly injected: Record<ServiceName, number> = { dynamodb: 0, sqs: 0, eventbridge: 0 };
  private readonly injectedByCaller: Record<ServiceName, Map<string, number>> = {
    dynamodb: new Map(),
    sqs: new Map(),
    eventbridge: new Map(),
  };
  private crashCount = 0;

  constructor(
    settings: FaultSettings,
    private readonly random: Random,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    this.current = settings;
  }

  settings(): FaultSettings {
    return this.current;
  }

  update(changes: Partial<FaultSettings>): void {
    this.current = { ...this.current, ...changes };
  }

  /**
   * Runs `call` as a call to `service`: latency first, then possibly an injected failure instead of the
   * call. A call made by a dead invocation never returns, and neither does one whose invocation died
   * while it was in flight (its answer would reach code that no longer runs).
   */
  async around<T>(service: ServiceName, operation: string, call: () => Promise<T>): Promise<T> {
    const invocation = currentInvocation();
    if (invocation?.isHalted() === true) return never();
    if (!this.appliesTo(invocation?.functionName)) return call();
    const latency = this.current.latencyMs[service] ?? 0;
    if (latency > 0) await this.sleep(latency);
    if (invocation?.isHalted() === true) return never();
    if (this.failsOperation(operation) && this.draw(this.current.failureRate[service] ?? 0)) {
      this.injected[service] += 1;
      const caller = invocation?.environmentId ?? invocation?.functionName ?? OUTSIDE_INVOCATIONS;
      this.injectedByCaller[service].set(caller, (this.injectedByCaller[service].get(caller) ?? 0) + 1);
      throw new InjectedServiceError(service, operation, this.injected[service]);
    }
    const result = await call();
    if (invocation?.isHalted() === true) return never();
    return result;
  }

  /**
   * Whether the invocation running this code dies at `point` now. When it does, the invocation is ended
   * as a crash and the caller must not go on (it returns `never()`). Outside an invocation nothing dies.
   */
  crashesAt(point: CrashPoint): boolean {
    const invocation = currentInvocation();
    if (invocation === undefined || invocation.isHalted() || !this.appliesTo(invocation.functionName)) return false;
    if (!this.draw(this.current.crashAfter[point] ?? 0)) return false;
    this.crashCount += 1;
    invocation.crash(`crash-after ${point}: the worker died before completing the record`);
    return true;
  }

  counts(): FaultCounts {
    return { injected: { ...this.injected }, crashes: this.crashCount };
  }

  /**
   * The failures injected into calls to `service` so far, by who made the call: the execution
   * environment (`worker#2`) when a function fleet ran it, else the invocation's function name (the
   * fleet pause's probe), else `outside-invocations` (the harness' own calls). Given an earlier reading
   * (`since`), only what each caller was injected after it, and only the callers that were.
   */
  injectedBy(service: ServiceName, since: ReadonlyMap<string, number> = new Map()): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const [caller, count] of this.injectedByCaller[service]) {
      const after = count - (since.get(caller) ?? 0);
      if (after > 0) counts.set(caller, after);
    }
    return counts;
  }

  private appliesTo(functionName: string | undefined): boolean {
    const { functions } = this.current;
    return functions === undefined || (functionName !== undefined && functions.includes(functionName));
  }

  private failsOperation(operation: string): boolean {
    const { operations } = this.current;
    return operations === undefined || operations.includes(operation);
  }

  private draw(probability: number): boolean {
    if (probability <= 0) return false;
    return this.random.next() < probability;
  }
}

const OUTSIDE_INVOCATIONS = 'outside-invocations';

export function noFaults(): FaultSettings {
  return { failureRate: {}, latencyMs: {}, crashAfter: {} };
}

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}
