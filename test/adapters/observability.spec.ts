import { expect } from 'chai';
import type { Context } from 'aws-lambda';
import { EmfMetrics } from '../../adapters/observability/emf-metrics.js';
import { PowertoolsLogger } from '../../adapters/observability/powertools-logger.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';

interface CapturedOutput {
  readonly stdout: string[];
  readonly stderr: string[];
}

/** Runs `act` with stdout and stderr captured (and kept off the test report). */
function captureOutput(act: () => void): CapturedOutput {
  const captured: CapturedOutput = { stdout: [], stderr: [] };
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was, never called detached
  const originalOut = process.stdout.write;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back as it was, never called detached
  const originalErr = process.stderr.write;
  const capture =
    (into: string[]) =>
    (chunk: string | Uint8Array): boolean => {
      into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
  process.stdout.write = capture(captured.stdout);
  process.stderr.write = capture(captured.stderr);
  try {
    act();
  } finally {
    process.stdout.write = originalOut;
    process.stderr.write = originalErr;
  }
  return captured;
}

/** Every written line parsed as JSON; a line that is not one JSON object fails the test. */
function jsonLines(chunks: readonly string[]): Record<string, unknown>[] {
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const parsed: unknown = JSON.parse(line);
      expect(parsed, line).to.be.an('object');
      return parsed as Record<string, unknown>;
    });
}

interface EmfBlob {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { Name: string; Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

function emfBlobs(output: CapturedOutput): EmfBlob[] {
  return jsonLines(output.stdout).map((line) => {
    // Valid EMF: a root `_aws` with a numeric Timestamp and CloudWatchMetrics directives, each of which
    // names a namespace, dimension sets whose keys are on the root, and metrics whose values are too.
    const blob = line as unknown as EmfBlob;
    expect(blob._aws.Timestamp).to.be.a('number');
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive.Namespace).to.be.a('string').and.not.equal('');
      for (const dimensionSet of directive.Dimensions) for (const name of dimensionSet) expect(blob[name], name).to.be.a('string');
      for (const metric of directive.Metrics) expect(blob[metric.Name], metric.Name).to.not.equal(undefined);
    }
    return blob;
  });
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'orders-worker',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:orders-worker',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1234',
  logGroupName: '/aws/lambda/orders-worker',
  logStreamName: '2026/01/01/[$LATEST]abc',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

describe('Class: PowertoolsLogger', () => {
  describe('Method: info', () => {
    it('writes one JSON object per line with level, message, timestamp, service and the fields', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => logger.info('order accepted', { orderId: 'order-1', correlationId: 'corr-1' }));

      const lines = jsonLines(output.stdout);
      expect(lines).to.have.length(1);
      expect(lines[0]).to.include({
        level: 'INFO',
        message: 'order accepted',
        service: 'orders',
        orderId: 'order-1',
        correlationId: 'corr-1',
      });
      expect(Number.isNaN(Date.parse(String(lines[0]?.timestamp)))).to.equal(false);
    });
  });

  describe('Method: warn / error', () => {
    it('writes WARN and ERROR lines as JSON too', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => {
        logger.warn('retrying', { attempt: 2 });
        logger.error('parked', { category: 'PERMANENT' });
      });

      const lines = jsonLines([...output.stdout, ...output.stderr]);
      expect(lines.map((line) => [line.level, line.message])).to.have.deep.members([
        ['WARN', 'retrying'],
        ['ERROR', 'parked'],
      ]);
    });
  });

  describe('Method: debug', () => {
    it('is written at level DEBUG and left out at INFO', () => {
      const quiet = new PowertoolsLogger({ serviceName: 'orders', logLevel: 'INFO' });
      const verbose = new PowertoolsLogger({ serviceName: 'orders', logLevel: 'DEBUG' });

      const output = captureOutput(() => {
        quiet.debug('hidden');
        verbose.debug('shown');
      });

      expect(jsonLines(output.stdout).map((line) => line.message)).to.deep.equal(['shown']);
    });
  });

  describe('Method: child', () => {
    it('adds its context to every line of the child and its children, never to the parent', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });
      const perRequest = logger.child({ correlationId: 'corr-1' });
      const perOrder = perRequest.child({ orderId: 'order-1' });

      const output = captureOutput(() => {
        perOrder.info('processed', { totalMinor: 4_498 });
        logger.info('batch done');
      });

      const [fromChild, fromParent] = jsonLines(output.stdout);
      expect(fromChild).to.include({
        message: 'processed',
        correlationId: 'corr-1',
        orderId: 'order-1',
        totalMinor: 4_498,
        service: 'orders',
      });
      expect(fromParent).to.not.have.any.keys('correlationId', 'orderId');
    });
  });

  describe('Method: addLambdaContext', () => {
    it('adds the request id and the cold start flag to the lines that follow', () => {
      const logger = new PowertoolsLogger({ serviceName: 'orders' });

      const output = captureOutput(() => {
        logger.addLambdaContext(lambdaContext);
        logger.info('invoked');
      });

      expect(jsonLines(output.stdout)[0]).to.include({ function_request_id: 'req-1234', function_name: 'orders-worker' });
      expect(jsonLines(output.stdout)[0]).to.have.property('cold_start').that.is.a('boolean');
    });
  });
});

describe('Class: EmfMetrics', () => {
  describe('Method: flush', () => {
    it('writes valid EMF: namespace, the service and given dimensions, metric definitions and values', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      metrics.add('OrdersFailed', 1, 'Count', { category: 'TRANSIENT' });
      metrics.add('OrdersFailed', 2, 'Count', { category: 'TRANSIENT' });
      metrics.add('ProcessingTime', 35, 'Milliseconds', { category: 'TRANSIENT' });

      const output = captureOutput(() => metrics.flush());

      const blobs = emfBlobs(output);
      expect(blobs).to.have.length(1);
      const [directive] = blobs[0]?._aws.CloudWatchMetrics ?? [];
      expect(directive?.Namespace).to.equal('OrderPipeline');
      expect(directive?.Dimensions).to.deep.equal([['service', 'category']]);
      expect(directive?.Metrics).to.have.deep.members([
        { Name: 'OrdersFailed', Unit: 'Count' },
        { Name: 'ProcessingTime', Unit: 'Milliseconds' },
      ]);
      expect(blobs[0]).to.deep.include({ service: 'orders', category: 'TRANSIENT', OrdersFailed: [1, 2], ProcessingTime: 35 });
      expect(output.stderr).to.deep.equal([]);
    });

    it('writes one blob per set of dimensions', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      metrics.add('OrdersFailed', 1, 'Count', { category: 'TRANSIENT' });
      metrics.add('OrdersFailed', 1, 'Count', { category: 'PERMANENT' });
      metrics.add('OrdersAccepted', 3, 'Count');

      const blobs = emfBlobs(captureOutput(() => metrics.flush()));

      expect(blobs.map((blob) => [blob._aws.CloudWatchMetrics[0]?.Dimensions, blob.category ?? null])).to.have.deep.members([
        [[['service', 'category']], 'TRANSIENT'],
        [[['service', 'category']], 'PERMANENT'],
        [[['service']], null],
      ]);
    });

    it('never makes an id a dimension: it is written as metadata', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      metrics.add('OrderParked', 1, 'Count', { category: 'VALIDATION', orderId: 'order-1' });

      const [blob] = emfBlobs(captureOutput(() => metrics.flush()));

      expect(blob?._aws.CloudWatchMetrics[0]?.Dimensions).to.deep.equal([['service', 'category']]);
      expect(blob?.orderId).to.equal('order-1');
    });

    it('keeps the dimensions on every blob when one set holds more values than a blob takes', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      for (let index = 0; index < 250; index += 1) metrics.add('Latency', index, 'Milliseconds', { category: 'TRANSIENT' });

      const blobs = emfBlobs(captureOutput(() => metrics.flush()));

      expect(blobs.length).to.be.greaterThan(1);
      expect(blobs.every((blob) => blob.category === 'TRANSIENT')).to.equal(true);
      expect(blobs.flatMap((blob) => [blob.Latency].flat()).length).to.equal(250);
    });

    it('writes nothing when nothing was recorded, and starts over after a flush', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      metrics.add('OrdersAccepted', 1, 'Count');

      const first = captureOutput(() => metrics.flush());
      const second = captureOutput(() => metrics.flush());

      expect(emfBlobs(first)).to.have.length(1);
      expect(second).to.deep.equal({ stdout: [], stderr: [] });
    });
  });

  describe('Method: captureColdStart', () => {
    const initializationType = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    afterEach(() => {
      if (initializationType === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
      else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initializationType;
    });

    it('writes the ColdStart metric on the first call of an on-demand environment only', () => {
      // Prepare: Lambda sets this variable; Powertools reports no cold start without it
      process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });

      // Act
      const first = captureOutput(() => metrics.captureColdStart('orders-worker'));
      const second = captureOutput(() => metrics.captureColdStart('orders-worker'));

      // Assess
      expect(emfBlobs(first)[0]).to.include({ ColdStart: 1, function_name: 'orders-worker', service: 'orders' });
      expect(second.stdout).to.deep.equal([]);
    });
  });
});

describe('Class: RecordingMetrics', () => {
  describe('Method: totals', () => {
    it('sums values by name and by each dimension value, across flushes', () => {
      const metrics = new RecordingMetrics();
      metrics.add('OrdersFailed', 1, 'Count', { category: 'TRANSIENT', service: 'worker' });
      metrics.flush();
      metrics.add('OrdersFailed', 2, 'Count', { category: 'PERMANENT', service: 'worker' });
      metrics.add('OrdersAccepted', 5, 'Count');

      const totals = metrics.totals();

      expect(totals.byName).to.deep.equal({ OrdersFailed: 3, OrdersAccepted: 5 });
      expect(totals.byDimension.OrdersFailed).to.deep.equal({ 'category=TRANSIENT': 1, 'category=PERMANENT': 2, 'service=worker': 3 });
      expect(metrics.flushes()).to.equal(1);
    });
  });

  describe('Method: total', () => {
    it('sums only the values whose dimensions include the given ones', () => {
      const metrics = new RecordingMetrics();
      metrics.add('OrdersFailed', 1, 'Count', { category: 'TRANSIENT' });
      metrics.add('OrdersFailed', 4, 'Count', { category: 'PERMANENT' });

      expect(metrics.total('OrdersFailed', { category: 'PERMANENT' })).to.equal(4);
      expect(metrics.total('OrdersFailed')).to.equal(5);
      expect(metrics.total('Unknown')).to.equal(0);
    });
  });
});

describe('Class: RecordingLogger', () => {
  describe('Method: child', () => {
    it('records the child context merged with the call fields, in the shared list', () => {
      const logger = new RecordingLogger();
      const child = logger.child({ correlationId: 'corr-1' }).child({ orderId: 'order-1' });

      child.warn('retrying', { attempt: 2 });
      logger.info('plain');

      expect(logger.lines()).to.deep.equal([
        { level: 'WARN', message: 'retrying', fields: { correlationId: 'corr-1', orderId: 'order-1', attempt: 2 } },
        { level: 'INFO', message: 'plain', fields: {} },
      ]);
      expect(logger.linesAt('WARN')).to.have.length(1);
    });
  });
});
