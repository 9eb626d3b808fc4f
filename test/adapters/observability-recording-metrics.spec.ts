import { expect } from 'chai';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';

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
