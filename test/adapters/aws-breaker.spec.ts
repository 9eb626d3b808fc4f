import { expect } from 'chai';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { SqsDeadLetterQueue } from '../../adapters/aws/sqs-dead-letter-queue.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { GuardedDeadLetterQueue, GuardedIdempotencyStore } from '../../application/resilience/guarded-ports.js';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import { CircuitOpenError } from '../../domain/errors.js';
import { prepareMotoAccount, startMotoServer, useMotoServer, type MotoAccount } from '../../tools/moto/moto.js';

const moto = useMotoServer();
const NOW = Date.UTC(2026, 0, 1);

async function outcomeOf(call: () => Promise<unknown>): Promise<'ok' | 'open' | 'failed'> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    return error instanceof CircuitOpenError ? 'open' : 'failed';
  }
}

describe('Class: CircuitBreakers, around the AWS adapters on moto', () => {
  let clock: ManualClock;
  let breakers: CircuitBreakers;

  beforeEach(() => {
    clock = new ManualClock({ start: NOW });
    // The seed's settings, unchanged: DynamoDB 3 failures / 30 s, SQS 5 failures / 60 s.
    breakers = new CircuitBreakers(clock, new RecordingLogger(), new RecordingMetrics());
  });

  describe('Method: run (DynamoDB answering 503)', () => {
    const { failureThreshold, recoveryTimeoutMs } = SERVICE_BREAKER_SETTINGS.dynamodb;
    const SDK_ATTEMPTS = 2;
    let account: MotoAccount;
    let store: GuardedIdempotencyStore;

    beforeEach(async () => {
      await moto.server.reset();
      account = await prepareMotoAccount(moto.server, { maxAttempts: SDK_ATTEMPTS });
      store = new GuardedIdempotencyStore(
        new DynamoDbIdempotencyStore({ client: account.clients.dynamodb, tableName: account.resources.idempotencyTableName }),
        breakers,
      );
      account.faults.inject({ service: 'dynamodb', fault: { kind: 'http', statusCode: 503, errorCode: 'ServiceUnavailable' } });
    });

    it('opens after the threshold, each failure being one call however many attempts the SDK made', async () => {
      // Act
      const outcomes: string[] = [];
      for (let call = 0; call < failureThreshold; call += 1) outcomes.push(await outcomeOf(() => store.get('k', NOW)));

      // Assess
      expect(outcomes).to.deep.equal(Array(failureThreshold).fill('failed'));
      expect(breakers.state('dynamodb').status).to.equal('OPEN');
      expect(account.calls.total('dynamodb')).to.equal(failureThreshold * SDK_ATTEMPTS);
    });

    it('sends no request while OPEN, until the recovery timeout has passed', async () => {
      for (let call = 0; call < failureThreshold; call += 1) await outcomeOf(() => store.get('k', NOW));
      const requestsWhenOpened = account.calls.total('dynamodb');

      const refused = [await outcomeOf(() => store.get('k', NOW))];
      await clock.advance(recoveryTimeoutMs - 1);
      refused.push(
        await outcomeOf(() =>
          store.claim({ key: 'k', payloadHash: 'h', ownerToken: 'o', now: clock.now(), leaseMs: 1_000, ttlSeconds: 60 }),
        ),
      );

      expect(refused).to.deep.equal(['open', 'open']);
      expect(account.calls.total('dynamodb')).to.equal(requestsWhenOpened);
    });

    it('lets exactly one probe through once the recovery timeout passed; the other call waits for its verdict', async () => {
      for (let call = 0; call < failureThreshold; call += 1) await outcomeOf(() => store.get('k', NOW));
      await clock.advance(recoveryTimeoutMs);
      account.faults.clear();
      account.calls.reset();

      // Act: two calls at once; only one may probe, the other goes once the probe succeeded.
      const [probe, second] = await Promise.all([
        outcomeOf(() => store.get('k', clock.now())),
        outcomeOf(() => store.get('k', clock.now())),
      ]);
      const after = await outcomeOf(() => store.get('k', clock.now()));

      // Assess
      expect([probe, second]).to.deep.equal(['ok', 'ok']);
      expect(after).to.equal('ok');
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');
      expect(account.calls.counts().dynamodb).to.deep.equal({ GetItem: 3 });
    });

    it('opens again when the probe fails, and waits another recovery timeout', async () => {
      for (let call = 0; call < failureThreshold; call += 1) await outcomeOf(() => store.get('k', NOW));
      await clock.advance(recoveryTimeoutMs);
      account.calls.reset();

      const probe = await outcomeOf(() => store.get('k', clock.now()));
      const next = await outcomeOf(() => store.get('k', clock.now()));

      expect([probe, next]).to.deep.equal(['failed', 'open']);
      expect(breakers.state('dynamodb').status).to.equal('OPEN');
      expect(account.calls.total('dynamodb')).to.equal(SDK_ATTEMPTS);
    });

    it('does not count errors that say nothing about the service (a missing table)', async () => {
      account.faults.clear();
      const missing = new GuardedIdempotencyStore(
        new DynamoDbIdempotencyStore({ client: account.clients.dynamodb, tableName: 'no-such-table' }),
        breakers,
      );

      const outcomes: string[] = [];
      for (let call = 0; call <= failureThreshold; call += 1) outcomes.push(await outcomeOf(() => missing.get('k', NOW)));

      expect(outcomes).to.deep.equal(Array(failureThreshold + 1).fill('failed'));
      expect(breakers.state('dynamodb').status).to.equal('CLOSED');
    });
  });

  describe('Method: run (the SQS server stopped, then back)', () => {
    const { failureThreshold, recoveryTimeoutMs } = SERVICE_BREAKER_SETTINGS.sqs;

    it('opens while nothing answers, refuses without connecting, then recovers through one probe', async function () {
      this.timeout(60_000);
      // Prepare: a server of its own, so stopping it leaves the shared one alone.
      let server = await startMotoServer();
      try {
        let account = await prepareMotoAccount(server, { maxAttempts: 1 });
        const dlq = (target: MotoAccount) =>
          new GuardedDeadLetterQueue(
            new SqsDeadLetterQueue({ client: target.clients.sqs, queueUrl: target.resources.deadLetterQueueUrl }),
            breakers,
          );
        await server.stop();

        // Act: the outage
        const duringOutage: string[] = [];
        for (let call = 0; call < failureThreshold + 2; call += 1) duringOutage.push(await outcomeOf(() => dlq(account).receive(1, 30)));
        const requestsDuringOutage = account.calls.total('sqs');

        // Act: the service comes back on the same endpoint, and the recovery timeout passes
        server = await startMotoServer({ port: server.port });
        account = await prepareMotoAccount(server, { maxAttempts: 1 });
        await clock.advance(recoveryTimeoutMs);
        const probe = await outcomeOf(() => dlq(account).receive(1, 30));

        // Assess
        expect(duringOutage).to.deep.equal([...Array<string>(failureThreshold).fill('failed'), 'open', 'open']);
        expect(requestsDuringOutage).to.equal(failureThreshold);
        expect(probe).to.equal('ok');
        expect(breakers.state('sqs').status).to.equal('CLOSED');
      } finally {
        await server.stop();
      }
    });
  });
});
