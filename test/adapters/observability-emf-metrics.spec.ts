import { expect } from 'chai';
import { EmfMetrics } from '../../adapters/observability/emf-metrics.js';
import { captureOutput, emfBlobs } from './observability.fixtures.js';

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

    it('stores a metric asked for at high resolution per second (StorageResolution 1), the others per minute', () => {
      const metrics = new EmfMetrics({ namespace: 'OrderPipeline', serviceName: 'orders' });
      metrics.add('CircuitBreakerOpened', 1, 'Count', { service: 'dynamodb' }, 'high');
      metrics.add('CircuitBreakerState', 2, 'None', { service: 'dynamodb' });

      const blobs = emfBlobs(captureOutput(() => metrics.flush()));

      expect(blobs).to.have.length(1);
      expect(blobs[0]?._aws.CloudWatchMetrics[0]?.Metrics).to.have.deep.members([
        { Name: 'CircuitBreakerOpened', Unit: 'Count', StorageResolution: 1 },
        { Name: 'CircuitBreakerState', Unit: 'None' },
      ]);
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
