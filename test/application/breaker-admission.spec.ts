import { expect } from 'chai';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Metrics } from '../../application/ports/metrics.js';
import { STALE_IN_FLIGHT_MS } from '../../application/resilience/admission-gate.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { failuresToOpen } from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import { CircuitOpenError, TransientError } from '../../domain/errors.js';

class ManualClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  sleep(ms: number): Promise<void> {
    this.advance(ms);
    return Promise.resolve();
  }
}

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};
const noMetrics: Metrics = { add: () => undefined, flush: () => undefined };

/** A dependency whose calls take a macrotask to answer (so a batch's calls really overlap) and that fails while `down`. */
class Dependency {
  down = false;
  calls = 0;
  async call(): Promise<string> {
    this.calls += 1;
    const down = this.down;
    await new Promise((resolve) => setImmediate(resolve));
    if (down) throw new TransientError('service unavailable', { code: 'DEPENDENCY.DOWN', cause: new Error('503') });
    return 'ok';
  }
}

async function batch(
  breakers: CircuitBreakers,
  dependency: Dependency,
  size: number,
): Promise<{ ok: number; refused: number; failed: number }> {
  const results = await Promise.all(
    Array.from({ length: size }, () =>
      breakers
        .run('dynamodb', () => dependency.call())
        .then(
          () => 'ok' as const,
          (error: unknown) => (error instanceof CircuitOpenError ? ('refused' as const) : ('failed' as const)),
        ),
    ),
  );
  return {
    ok: results.filter((r) => r === 'ok').length,
    refused: results.filter((r) => r === 'refused').length,
    failed: results.filter((r) => r === 'failed').length,
  };
}

describe('Class: CircuitBreakers, concurrency-aware admission', () => {
  let clock: ManualClock;
  let breakers: CircuitBreakers;
  let dependency: Dependency;

  beforeEach(() => {
    clock = new ManualClock();
    breakers = new CircuitBreakers(clock, silent, noMetrics);
    dependency = new Dependency();
  });

  it('lets a healthy batch through at full concurrency once at volume', async () => {
    await batch(breakers, dependency, 30);
    const result = await batch(breakers, dependency, 25);

    expect(result).to.deep.equal({ ok: 25, refused: 0, failed: 0 });
  });

  it('sends a batch of 10 concurrent calls to a dead dependency only up to the threshold (low volume: 3)', async () => {
    dependency.down = true;

    const result = await batch(breakers, dependency, 10);

    expect(dependency.calls).to.equal(SERVICE_BREAKER_SETTINGS.dynamodb.failureThreshold);
    expect(result).to.deep.equal({ ok: 0, refused: 7, failed: 3 });
    expect(breakers.state('dynamodb')).to.deep.include({ status: 'OPEN', rule: 'count' });
  });

  it("at volume after a clean spell, an outage costs the clean run's failures (6 in a row, where the ratio alone took 25 of a full window)", async () => {
    await batch(breakers, dependency, 50);
    const budget = failuresToOpen(breakers.state('dynamodb'), SERVICE_BREAKER_SETTINGS.dynamodb, clock.now());
    dependency.down = true;
    dependency.calls = 0;

    const result = await batch(breakers, dependency, 100);

    expect(budget).to.equal(SERVICE_BREAKER_SETTINGS.dynamodb.volume!.cleanRunFailures);
    expect(dependency.calls).to.equal(budget);
    expect(result.failed + result.refused).to.equal(100);
    expect(breakers.state('dynamodb')).to.deep.include({ status: 'OPEN', rule: 'run' });
  });

  it("at volume with a failure still in the window, an outage costs at most the long run's failures (12 in a row)", async () => {
    await batch(breakers, dependency, 45);
    dependency.down = true;
    await batch(breakers, dependency, 1);
    dependency.down = false;
    await batch(breakers, dependency, 4);
    const budget = failuresToOpen(breakers.state('dynamodb'), SERVICE_BREAKER_SETTINGS.dynamodb, clock.now());
    dependency.down = true;
    dependency.calls = 0;

    const result = await batch(breakers, dependency, 100);

    expect(budget).to.equal(SERVICE_BREAKER_SETTINGS.dynamodb.volume!.consecutiveFailures);
    expect(dependency.calls).to.equal(budget);
    expect(result.failed + result.refused).to.equal(100);
    expect(breakers.state('dynamodb')).to.deep.include({ status: 'OPEN', rule: 'run' });
  });

  it('a 60 s total outage under steady load costs threshold + one probe per recovery period, then everything goes through', async () => {
    const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
    dependency.down = true;
    let callsDuringOutage = 0;
    for (let second = 0; second < 60; second++) {
      const before = dependency.calls;
      await batch(breakers, dependency, 5);
      callsDuringOutage += dependency.calls - before;
      clock.advance(1_000);
    }
    dependency.down = false;
    const probes = Math.floor(60_000 / settings.recoveryTimeoutMs);
    expect(callsDuringOutage).to.be.at.most(settings.failureThreshold + probes);

    clock.advance(settings.recoveryTimeoutMs);
    const after = await batch(breakers, dependency, 5);
    expect(after).to.deep.equal({ ok: 5, refused: 0, failed: 0 });
    expect(breakers.state('dynamodb').status).to.equal('CLOSED');
  });

  it('a failed half-open probe turns away the calls that waited for its verdict', async () => {
    dependency.down = true;
    await batch(breakers, dependency, 3);
    clock.advance(SERVICE_BREAKER_SETTINGS.dynamodb.recoveryTimeoutMs);
    dependency.calls = 0;

    const result = await batch(breakers, dependency, 5);

    expect(dependency.calls).to.equal(1);
    expect(result).to.deep.equal({ ok: 0, refused: 4, failed: 1 });
    expect(breakers.state('dynamodb')).to.deep.include({ status: 'OPEN', rule: 'probe' });
    expect(breakers.inFlight('dynamodb')).to.equal(0);
  });

  it('stops counting a call that never ends once it is stale, so a halted invocation cannot shrink admission for good', async () => {
    const never = (): Promise<string> => new Promise(() => undefined);
    for (let i = 0; i < SERVICE_BREAKER_SETTINGS.dynamodb.failureThreshold; i++) void breakers.run('dynamodb', never);
    await new Promise((resolve) => setImmediate(resolve));
    expect(breakers.inFlight('dynamodb')).to.equal(3);

    clock.advance(STALE_IN_FLIGHT_MS);

    expect(breakers.inFlight('dynamodb')).to.equal(0);
    expect(await breakers.run('dynamodb', () => dependency.call())).to.equal('ok');
  });

  it('lets a caller that waited behind calls that never end through once they are stale, with no other traffic to wake it', async () => {
    const never = (): Promise<string> => new Promise(() => undefined);
    for (let i = 0; i < SERVICE_BREAKER_SETTINGS.dynamodb.failureThreshold; i++) void breakers.run('dynamodb', never);
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = breakers.run('dynamodb', () => dependency.call());

    clock.advance(STALE_IN_FLIGHT_MS);

    expect(await waiting).to.equal('ok');
  });
});
