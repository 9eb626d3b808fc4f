import { expect } from 'chai';
import fc from 'fast-check';
import type { ErrorCategory } from '../../domain/error-category.js';
import { MetricsHistory, type HistoryReading } from '../../harness/observation/metrics-history.js';

const START = Date.UTC(2026, 11, 2, 12, 0, 0);
const NO_FAILURES: Record<ErrorCategory, number> = { VALIDATION: 0, TRANSIENT: 0, PERMANENT: 0, TIMEOUT: 0, PROCESSING: 0, UNKNOWN: 0 };

function reading(overrides: Partial<HistoryReading> = {}): HistoryReading {
  return { at: START, accepted: 0, succeeded: 0, failures: NO_FAILURES, queueDepth: 0, deadLetterDepth: 0, ...overrides };
}

describe('Class: MetricsHistory', () => {
  describe('Method: record', () => {
    it('gives the first reading rates of 0, since nothing came before it, and keeps its depths', () => {
      const history = new MetricsHistory(5);

      const sample = history.record(
        reading({ accepted: 40, succeeded: 30, queueDepth: 7, deadLetterDepth: 2, failures: { ...NO_FAILURES, TRANSIENT: 3 } }),
      );

      expect(sample).to.deep.equal({
        at: new Date(START).toISOString(),
        acceptedPerSecond: 0,
        succeededPerSecond: 0,
        queueDepth: 7,
        deadLetterDepth: 2,
        failuresPerSecond: NO_FAILURES,
      });
    });

    it('computes each rate per second from the counters of two successive readings', () => {
      // Prepare
      const history = new MetricsHistory(5);
      history.record(reading({ accepted: 10, succeeded: 4, failures: { ...NO_FAILURES, TRANSIENT: 1, PERMANENT: 2 } }));

      // Act: 2 s later, 6 more accepted, 3 more committed, 4 more transient failures, 1 of the 3 s later
      const two = history.record(
        reading({ at: START + 2_000, accepted: 16, succeeded: 7, failures: { ...NO_FAILURES, TRANSIENT: 5, PERMANENT: 2 }, queueDepth: 9 }),
      );
      const three = history.record(
        reading({ at: START + 5_000, accepted: 17, succeeded: 7, failures: { ...NO_FAILURES, TRANSIENT: 5, PERMANENT: 2 }, queueDepth: 1 }),
      );

      // Assess
      expect(two).to.deep.include({ acceptedPerSecond: 3, succeededPerSecond: 1.5, queueDepth: 9 });
      expect(two.failuresPerSecond).to.deep.equal({ ...NO_FAILURES, TRANSIENT: 2 });
      expect(three).to.deep.include({ acceptedPerSecond: 0.333, succeededPerSecond: 0, queueDepth: 1 });
      expect(three.failuresPerSecond).to.deep.equal(NO_FAILURES);
    });

    it('never reports a negative rate, nor divides by a zero interval', () => {
      const history = new MetricsHistory(5);
      history.record(reading({ accepted: 10 }));

      const backwards = history.record(reading({ at: START + 1_000, accepted: 4 }));
      const sameInstant = history.record(reading({ at: START + 1_000, accepted: 9 }));

      expect(backwards.acceptedPerSecond).to.equal(0);
      expect(sameInstant.acceptedPerSecond).to.equal(0);
    });

    it('refuses a capacity too small to draw a line', () => {
      expect(() => new MetricsHistory(1)).to.throw(RangeError, 'at least 2 samples');
      expect(() => new MetricsHistory(2.5)).to.throw(RangeError);
    });
  });

  describe('Method: samples', () => {
    it('keeps only the last `capacity` samples, oldest first', () => {
      const history = new MetricsHistory(3);
      for (let second = 0; second < 7; second += 1) history.record(reading({ at: START + second * 1_000, accepted: second * second }));

      const samples = history.samples();

      expect(samples.map((sample) => sample.at)).to.deep.equal([4, 5, 6].map((second) => new Date(START + second * 1_000).toISOString()));
      // accepted went 9 → 16 → 25 → 36: 7, 9 and 11 per second
      expect(samples.map((sample) => sample.acceptedPerSecond)).to.deep.equal([7, 9, 11]);
    });

    it("is bounded, ordered by time, and its rates add up to the counter's growth, whatever the readings (property)", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 20 }),
          fc.array(fc.record({ stepMs: fc.integer({ min: 1, max: 10_000 }), newlyAccepted: fc.nat(1_000) }), {
            minLength: 1,
            maxLength: 60,
          }),
          (capacity, steps) => {
            const history = new MetricsHistory(capacity);
            let at = START;
            let accepted = 0;
            history.record(reading());
            const expected: number[] = [];
            for (const { stepMs, newlyAccepted } of steps) {
              at += stepMs;
              accepted += newlyAccepted;
              history.record(reading({ at, accepted }));
              expected.push(newlyAccepted / (stepMs / 1_000));
            }
            const samples = history.samples();
            expect(samples).to.have.length(Math.min(capacity, steps.length + 1));
            const times = samples.map((sample) => Date.parse(sample.at));
            expect(times).to.deep.equal([...times].sort((a, b) => a - b));
            const kept = expected.slice(-samples.length);
            const shown = samples.slice(-kept.length).map((sample) => sample.acceptedPerSecond);
            // Rates are rounded to the thousandth: off by at most half of it (a tie such as 10.3125 rounds up), plus float error.
            shown.forEach((rate, index) => expect(rate).to.be.closeTo(kept[index] ?? Number.NaN, 0.0005 + 1e-9));
          },
        ),
      );
    });
  });
});
