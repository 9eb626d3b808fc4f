import type { Container } from 'inversify';
import type { CircuitBreakers } from '../../../application/resilience/circuit-breakers.js';
import type { ServiceName } from '../../../application/config/breaker-defaults.js';
import { TOKENS } from '../../../application/tokens.js';
import { currentInvocation } from './invocation.js';

/**
 * One emulated Lambda execution environment of a function: its own container (built from the function's
 * composition), so its own circuit breakers and admission gate, as each environment has in AWS. It runs one
 * invocation at a time; an invocation that crashes or times out takes its environment with it (Lambda
 * discards the runtime), and the next invocation gets a new one, with fresh breakers.
 */
export interface FunctionEnvironment<H> {
  /** `<function>#<n>`, n counting the environments the function has had. */
  readonly id: string;
  readonly container: Container;
  readonly handler: H;
  busy: boolean;
  invocations: number;
}

export interface EnvironmentView {
  readonly id: string;
  readonly busy: boolean;
  readonly invocations: number;
  readonly breakers: CircuitBreakers;
}

/** What a fleet needs: how to build an environment's container, and the function's handler over it. */
export interface FleetSpec<H> {
  readonly functionName: string;
  /** The services whose breakers the function's composition binds (its guarded ports). */
  readonly services: readonly ServiceName[];
  readonly build: (environmentId: string) => Container;
  readonly handlerOf: (container: Container) => H;
}

type AsyncFunction = (...args: never[]) => Promise<unknown>;

/**
 * The execution environments of one function. `handler` is what the harness invokes: each call takes an
 * idle environment (or starts a new one, a cold start) for the length of the call, as Lambda routes one
 * invocation to one environment. The number of environments follows the function's concurrency.
 */
export class FunctionFleet<H extends AsyncFunction> {
  private readonly alive: FunctionEnvironment<H>[] = [];
  private readonly customizations: ((container: Container) => void)[] = [];
  private started = 0;
  private discarded = 0;

  constructor(private readonly spec: FleetSpec<H>) {}

  get functionName(): string {
    return this.spec.functionName;
  }

  get services(): readonly ServiceName[] {
    return this.spec.services;
  }

  /** The function as its callers see it: every call runs in an environment of its own. */
  readonly handler = ((...args: Parameters<H>): Promise<Awaited<ReturnType<H>>> => this.call(args)) as unknown as H;

  /**
   * Changes every environment, those running and those started later, as a new deployment of the
   * function's code would (specs use it to break a use case and fix it again).
   */
  customize(change: (container: Container) => void): void {
    this.customizations.push(change);
    for (const environment of this.alive) change(environment.container);
  }

  environments(): readonly EnvironmentView[] {
    return this.alive.map((environment) => ({
      id: environment.id,
      busy: environment.busy,
      invocations: environment.invocations,
      breakers: environment.container.get<CircuitBreakers>(TOKENS.CircuitBreakers),
    }));
  }

  stats(): { readonly started: number; readonly discarded: number; readonly alive: number } {
    return { started: this.started, discarded: this.discarded, alive: this.alive.length };
  }

  private async call(args: Parameters<H>): Promise<Awaited<ReturnType<H>>> {
    const environment = this.acquire();
    let lost = false;
    const invocation = currentInvocation();
    invocation?.runsIn(environment.id);
    // A crash or timeout ends the runtime: that environment serves nothing more.
    invocation?.onHalt(() => {
      lost = true;
      this.discard(environment);
    });
    try {
      return (await environment.handler(...args)) as Awaited<ReturnType<H>>;
    } finally {
      if (!lost) environment.busy = false;
    }
  }

  private acquire(): FunctionEnvironment<H> {
    const idle = this.alive.find((environment) => !environment.busy);
    const environment = idle ?? this.start();
    environment.busy = true;
    environment.invocations += 1;
    return environment;
  }

  private start(): FunctionEnvironment<H> {
    this.started += 1;
    const id = `${this.spec.functionName}#${this.started}`;
    const container = this.spec.build(id);
    for (const change of this.customizations) change(container);
    const environment: FunctionEnvironment<H> = { id, container, handler: this.spec.handlerOf(container), busy: false, invocations: 0 };
    this.alive.push(environment);
    return environment;
  }

  private discard(environment: FunctionEnvironment<H>): void {
    const index = this.alive.indexOf(environment);
    if (index < 0) return;
    this.alive.splice(index, 1);
    this.discarded += 1;
  }
}
