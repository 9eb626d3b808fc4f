import { expect } from 'chai';
import { ConfigurationError, backoffPolicyOf, loadConfig, type PipelineConfig } from '../../application/config/pipeline-config.js';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';

const AWS_RESOURCES = {
  ORDER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders-dlq',
  IDEMPOTENCY_TABLE_NAME: 'orders-idempotency',
  EVENT_BUS_NAME: 'orders-bus',
} as const;

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected loadConfig to refuse the environment');
}

describe('Function: loadConfig', () => {
  it('returns the documented defaults for the memory backend', () => {
    // Act
    const config = loadConfig({ PIPELINE_BACKEND: 'memory' });

    // Assess
    expect(config).to.deep.equal({
      backend: 'memory',
      serviceName: 'orders',
      orderQueueUrl: 'memory',
      orchestratedQueueUrl: undefined,
      orchestratedSharePercent: 0,
      deadLetterQueueUrl: 'memory',
      idempotencyTableName: 'memory',
      eventBusName: 'memory',
      eventSource: 'orders.pipeline',
      allowFailureSimulation: false,
      supportedCurrencies: undefined,
      maxOrderTotalMinor: 100_000_000,
      taxRateBasisPoints: 0,
      maxBodyBytes: 262_144,
      idempotencyTtlSeconds: 604_800,
      workerConcurrency: 10,
      backoffStrategy: 'full-jitter',
      backoffBaseSeconds: 2,
      backoffCapSeconds: 900,
      redriveMaxAttempts: 5,
      redriveMessageBudget: 100,
      redriveTimeBudgetMs: 20_000,
      permanenceReceiveThreshold: 10,
      acceptLeaseMs: 10_000,
      outboxDeadLetterQueueUrl: undefined,
      outboxSweepAgeSeconds: 60,
      breakers: SERVICE_BREAKER_SETTINGS,
      ingestStateMachineArn: undefined,
      storeOutageMode: 'strict',
    } satisfies PipelineConfig);
  });

  it('never enables failure simulation unless told to', () => {
    expect(loadConfig({ PIPELINE_BACKEND: 'memory' }).allowFailureSimulation).to.equal(false);
    expect(loadConfig({ PIPELINE_BACKEND: 'memory', ALLOW_FAILURE_SIMULATION: 'false' }).allowFailureSimulation).to.equal(false);
    expect(loadConfig({ PIPELINE_BACKEND: 'memory', ALLOW_FAILURE_SIMULATION: 'true' }).allowFailureSimulation).to.equal(true);
  });

  it('uses the aws backend by default and then requires the four resource names, all reported at once', () => {
    // Act
    const problems = problemsOf({});

    // Assess
    expect(problems).to.have.length(4);
    for (const name of Object.keys(AWS_RESOURCES)) {
      expect(
        problems.some((problem) => problem.startsWith(`${name} is required`)),
        name,
      ).to.equal(true);
    }
  });

  it('treats a blank resource name as missing', () => {
    const problems = problemsOf({ ...AWS_RESOURCES, EVENT_BUS_NAME: '   ' });

    expect(problems).to.deep.equal(['EVENT_BUS_NAME is required when PIPELINE_BACKEND=aws']);
  });

  it('reads the aws resource names, trimmed', () => {
    // Act
    const config = loadConfig({ ...AWS_RESOURCES, IDEMPOTENCY_TABLE_NAME: '  orders-idempotency \n' });

    // Assess
    expect(config).to.deep.include({
      backend: 'aws',
      orderQueueUrl: AWS_RESOURCES.ORDER_QUEUE_URL,
      deadLetterQueueUrl: AWS_RESOURCES.DEAD_LETTER_QUEUE_URL,
      idempotencyTableName: 'orders-idempotency',
      eventBusName: 'orders-bus',
    });
  });

  it('reads every setting it is given', () => {
    // Act
    const config = loadConfig({
      PIPELINE_BACKEND: 'memory',
      SERVICE_NAME: 'orders-eu',
      EVENT_SOURCE: 'shop.orders',
      SUPPORTED_CURRENCIES: ' eur, usd ,GBP',
      MAX_ORDER_TOTAL_MINOR: '5000',
      TAX_RATE_BASIS_POINTS: '2000',
      MAX_BODY_BYTES: '4096',
      IDEMPOTENCY_TTL_SECONDS: '3600',
      WORKER_CONCURRENCY: '10',
      BACKOFF_STRATEGY: 'decorrelated-jitter',
      BACKOFF_BASE_SECONDS: '1',
      BACKOFF_CAP_SECONDS: '30',
      REDRIVE_MAX_ATTEMPTS: '0',
      REDRIVE_MESSAGE_BUDGET: '50',
      REDRIVE_TIME_BUDGET_MS: '60000',
      PERMANENCE_RECEIVE_THRESHOLD: '3',
    });

    // Assess
    expect(config).to.deep.include({
      serviceName: 'orders-eu',
      eventSource: 'shop.orders',
      maxOrderTotalMinor: 5_000,
      taxRateBasisPoints: 2_000,
      maxBodyBytes: 4_096,
      idempotencyTtlSeconds: 3_600,
      workerConcurrency: 10,
      backoffStrategy: 'decorrelated-jitter',
      backoffBaseSeconds: 1,
      backoffCapSeconds: 30,
      redriveMaxAttempts: 0,
      redriveMessageBudget: 50,
      redriveTimeBudgetMs: 60_000,
      permanenceReceiveThreshold: 3,
    });
    expect(config.supportedCurrencies).to.deep.equal(['EUR', 'USD', 'GBP']);
  });

  it('requires the orchestrated queue when the aws backend sends it a share of orders', () => {
    expect(problemsOf({ ...AWS_RESOURCES, ORCHESTRATED_SHARE_PERCENT: '10' })).to.deep.equal([
      'ORCHESTRATED_QUEUE_URL is required when ORCHESTRATED_SHARE_PERCENT is above 0',
    ]);
    expect(problemsOf({ ...AWS_RESOURCES, ORCHESTRATED_SHARE_PERCENT: '101' })).to.deep.equal([
      'ORCHESTRATED_SHARE_PERCENT must be an integer from 0 to 100 (got "101")',
    ]);
    const config = loadConfig({
      ...AWS_RESOURCES,
      ORCHESTRATED_SHARE_PERCENT: '10',
      ORCHESTRATED_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/1/orders-orchestrated',
    });
    expect(config).to.deep.include({
      orchestratedSharePercent: 10,
      orchestratedQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/1/orders-orchestrated',
    });
  });

  it('refuses a backoff cap below its base', () => {
    const problems = problemsOf({ PIPELINE_BACKEND: 'memory', BACKOFF_BASE_SECONDS: '10', BACKOFF_CAP_SECONDS: '5' });

    expect(problems).to.deep.equal(['BACKOFF_CAP_SECONDS (5) must not be below BACKOFF_BASE_SECONDS (10)']);
  });

  it('gives the worker and the redrive one backoff policy built from the configuration', () => {
    const config = loadConfig({
      PIPELINE_BACKEND: 'memory',
      BACKOFF_STRATEGY: 'equal-jitter',
      BACKOFF_BASE_SECONDS: '1',
      BACKOFF_CAP_SECONDS: '8',
    });

    expect(backoffPolicyOf(config)).to.deep.equal({ strategy: 'equal-jitter', baseSeconds: 1, capSeconds: 8, baseJitterMinutes: 5 });
  });

  it('reports every bad value at once, each naming its variable and the value it got', () => {
    // Prepare
    const bad: Record<string, string> = {
      ALLOW_FAILURE_SIMULATION: 'yes',
      MAX_ORDER_TOTAL_MINOR: '1e6',
      TAX_RATE_BASIS_POINTS: '10001',
      MAX_BODY_BYTES: '12',
      IDEMPOTENCY_TTL_SECONDS: '3600.5',
      WORKER_CONCURRENCY: '0',
      BACKOFF_STRATEGY: 'linear',
      BACKOFF_CAP_SECONDS: '901',
      REDRIVE_MAX_ATTEMPTS: '-1',
      REDRIVE_MESSAGE_BUDGET: 'many',
      REDRIVE_TIME_BUDGET_MS: '999',
      PERMANENCE_RECEIVE_THRESHOLD: '99999999999999999999',
      SUPPORTED_CURRENCIES: 'EUR,euros',
    };

    // Act
    const problems = problemsOf({ PIPELINE_BACKEND: 'memory', ...bad });

    // Assess
    expect(problems).to.have.length(Object.keys(bad).length);
    for (const [name, value] of Object.entries(bad)) {
      const problem = problems.find((candidate) => candidate.startsWith(name));
      expect(problem, name).to.be.a('string');
      if (name !== 'SUPPORTED_CURRENCIES') expect(problem, name).to.include(`"${value}"`);
    }
    expect(problems.find((p) => p.startsWith('SUPPORTED_CURRENCIES'))).to.include('EUROS');
  });

  it('refuses an unknown backend and names the allowed ones', () => {
    const problems = problemsOf({ ...AWS_RESOURCES, PIPELINE_BACKEND: 'gcp' });

    expect(problems).to.deep.equal(['PIPELINE_BACKEND must be one of aws, memory (got "gcp")']);
  });

  it('refuses a currency list that names a code the order rules cannot accept', () => {
    const problems = problemsOf({ PIPELINE_BACKEND: 'memory', SUPPORTED_CURRENCIES: 'EUR,XYZ' });

    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^SUPPORTED_CURRENCIES .*XYZ/);
  });

  it('refuses a currency list with no code in it', () => {
    const problems = problemsOf({ PIPELINE_BACKEND: 'memory', SUPPORTED_CURRENCIES: ' , ,' });

    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/^SUPPORTED_CURRENCIES/);
  });

  it('throws a ConfigurationError whose message lists the problems', () => {
    expect(() => loadConfig({ PIPELINE_BACKEND: 'memory', WORKER_CONCURRENCY: 'x' })).to.throw(
      ConfigurationError,
      /invalid configuration: WORKER_CONCURRENCY must be an integer from 1 to 100 \(got "x"\)/,
    );
  });

  describe('BREAKER_SETTINGS', () => {
    it('lays per-service overrides over the defaults, the volume rule field by field', () => {
      const { breakers } = loadConfig({
        PIPELINE_BACKEND: 'memory',
        BREAKER_SETTINGS: JSON.stringify({
          dynamodb: { recoveryTimeoutMs: 10_000, volume: { failureRatio: 0.6, slowCallMs: 800, slowCallRatio: 0.9 } },
          sqs: { volume: null },
        }),
      });

      expect(breakers.dynamodb).to.deep.equal({
        ...SERVICE_BREAKER_SETTINGS.dynamodb,
        recoveryTimeoutMs: 10_000,
        volume: { ...SERVICE_BREAKER_SETTINGS.dynamodb.volume!, failureRatio: 0.6, slowCallMs: 800, slowCallRatio: 0.9 },
      });
      expect(breakers.sqs).to.not.have.property('volume');
      expect(breakers.eventbridge).to.deep.equal(SERVICE_BREAKER_SETTINGS.eventbridge);
    });

    for (const [label, raw, pattern] of [
      ['not JSON', '{', /JSON object/],
      ['an array', '[]', /JSON object/],
      ['an unknown service', '{"kinesis":{}}', /unknown service "kinesis"/],
      ['an unknown field', '{"sqs":{"threshold":3}}', /sqs.threshold is not a breaker setting/],
      ['a string number', '{"sqs":{"failureThreshold":"3"}}', /sqs.failureThreshold must be a number/],
      ['a bad volume field', '{"sqs":{"volume":{"ratio":0.5}}}', /sqs.volume.ratio is not/],
      ['a volume that is not an object', '{"sqs":{"volume":5}}', /sqs.volume must be an object or null/],
      ['a volume number as text', '{"sqs":{"volume":{"failureRatio":"x"}}}', /sqs.volume.failureRatio must be a number/],
      ['a service that is not an object', '{"sqs":1}', /sqs must be an object/],
      ['settings that never open', '{"dynamodb":{"volume":{"failureRatio":2}}}', /failureRatio/],
    ] as const) {
      it(`names BREAKER_SETTINGS when it holds ${label}`, () => {
        const problems = problemsOf({ PIPELINE_BACKEND: 'memory', BREAKER_SETTINGS: raw });
        expect(problems.join('; '))
          .to.match(/BREAKER_SETTINGS/)
          .and.to.match(pattern);
      });
    }
  });
});
