import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * One emulated Lambda invocation. Its context follows every await of the handler (AsyncLocalStorage), so
 * code deep inside, such as a fault decorator, can find the invocation it runs in and end it.
 *
 * How a "dead" invocation is emulated: JavaScript cannot kill an async call chain, so when the invocation
 * crashes or times out it is marked halted and the caller is told at once; from then on every port call it
 * makes (through the fault decorators) returns a promise that never settles. Nothing it does after its
 * death reaches a queue, a table or a bus, exactly as when Lambda kills the runtime; the abandoned
 * promises hold no timers and are garbage-collected.
 */
export class Invocation {
  private haltedBy: string | undefined;
  private readonly listeners: ((reason: string) => void)[] = [];
  private environment: string | undefined;

  constructor(
    readonly functionName: string,
    readonly requestId: string,
    readonly deadline: number,
  ) {}

  /** The execution environment serving it (`worker#2`), once a function fleet has routed it to one. */
  get environmentId(): string | undefined {
    return this.environment;
  }

  runsIn(environmentId: string): void {
    this.environment = environmentId;
  }

  isHalted(): boolean {
    return this.haltedBy !== undefined;
  }

  remainingMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /** Ends the invocation from inside, as a crash of the runtime would (Runtime.ExitError in Lambda). */
  crash(reason: string): void {
    this.halt(reason);
  }

  halt(reason: string): void {
    if (this.haltedBy !== undefined) return;
    this.haltedBy = reason;
    for (const listener of this.listeners) listener(reason);
  }

  onHalt(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }
}

export type InvocationEnd<T> =
  | { readonly kind: 'returned'; readonly value: T; readonly durationMs: number }
  | { readonly kind: 'threw'; readonly error: unknown; readonly durationMs: number }
  | { readonly kind: 'timed-out'; readonly durationMs: number }
  | { readonly kind: 'crashed'; readonly reason: string; readonly durationMs: number };

export interface InvocationSpec {
  readonly functionName: string;
  readonly requestId: string;
  readonly timeoutMs: number;
}

const scope = new AsyncLocalStorage<Invocation>();
const TIMED_OUT = 'Task timed out';

/** The invocation the calling code runs in, if any. */
export function currentInvocation(): Invocation | undefined {
  return scope.getStore();
}

/** What a call made by a dead process looks like from inside it: it never returns. */
export function never<T>(): Promise<T> {
  return new Promise<T>(() => undefined);
}

/**
 * Runs `fn` as one invocation and reports how it ended. Never rejects: a throwing handler is an outcome,
 * as it is for Lambda, not a reason for the caller to die.
 */
export function invoke<T>(spec: InvocationSpec, fn: (invocation: Invocation) => Promise<T>): Promise<InvocationEnd<T>> {
  const started = Date.now();
  const invocation = new Invocation(spec.functionName, spec.requestId, started + spec.timeoutMs);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (end: InvocationEnd<T>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(end);
    };
    const elapsed = (): number => Date.now() - started;
    invocation.onHalt((reason) =>
      finish(reason === TIMED_OUT ? { kind: 'timed-out', durationMs: elapsed() } : { kind: 'crashed', reason, durationMs: elapsed() }),
    );
    const timer = setTimeout(() => invocation.halt(TIMED_OUT), spec.timeoutMs);
    scope
      .run(invocation, async () => fn(invocation))
      .then(
        (value) => finish({ kind: 'returned', value, durationMs: elapsed() }),
        (error: unknown) => finish({ kind: 'threw', error, durationMs: elapsed() }),
      );
  });
}
