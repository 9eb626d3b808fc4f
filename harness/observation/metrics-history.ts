import { ERROR_CATEGORIES, type ErrorCategory } from '../../domain/error-category.js';

/** What the harness reads at each tick of its history schedule: counters since start, and depths now. */
export interface HistoryReading {
  /** Epoch ms. */
  readonly at: number;
  /** Orders the edge accepted, since the harness started. */
  readonly accepted: number;
  /** Business steps committed (completions the store accepted), since the harness started. */
  readonly succeeded: number;
  readonly failures: Readonly<Record<ErrorCategory, number>>;
  /** Messages on the queues the event sources poll (visible, in flight, delayed). */
  readonly queueDepth: number;
  readonly deadLetterDepth: number;
}

/** One point of the status page's charts: rates over the interval that ended at `at`, depths at `at`. */
export interface HistorySample {
  readonly at: string;
  readonly acceptedPerSecond: number;
  readonly succeededPerSecond: number;
  readonly queueDepth: number;
  readonly deadLetterDepth: number;
  readonly failuresPerSecond: Readonly<Record<ErrorCategory, number>>;
}

/**
 * The last `capacity` samples, oldest first, for GET /metrics' `history`: a page opened now shows the
 * last minutes at once. Rates come from the difference of two successive readings' counters; the first
 * reading has nothing before it, so its rates are 0. A counter that went down (never, within one
 * process) counts as no change rather than a negative rate.
 */
export class MetricsHistory {
  private readonly ring: HistorySample[] = [];
  /** Where the oldest sample sits once the ring is full. */
  private start = 0;
  private previous: HistoryReading | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2) throw new RangeError(`the history keeps at least 2 samples (got ${capacity})`);
  }

  record(reading: HistoryReading): HistorySample {
    const sample = sampleOf(this.previous, reading);
    this.previous = reading;
    if (this.ring.length < this.capacity) {
      this.ring.push(sample);
    } else {
      this.ring[this.start] = sample;
      this.start = (this.start + 1) % this.capacity;
    }
    return sample;
  }

  /** Oldest first. */
  samples(): HistorySample[] {
    return [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
  }
}

function sampleOf(previous: HistoryReading | undefined, reading: HistoryReading): HistorySample {
  const seconds = previous === undefined ? 0 : (reading.at - previous.at) / 1_000;
  const rate = (now: number, before: number | undefined): number =>
    seconds <= 0 || before === undefined ? 0 : round(Math.max(0, now - before) / seconds);
  const failuresPerSecond = {} as Record<ErrorCategory, number>;
  for (const category of ERROR_CATEGORIES) failuresPerSecond[category] = rate(reading.failures[category], previous?.failures[category]);
  return {
    at: new Date(reading.at).toISOString(),
    acceptedPerSecond: rate(reading.accepted, previous?.accepted),
    succeededPerSecond: rate(reading.succeeded, previous?.succeeded),
    queueDepth: reading.queueDepth,
    deadLetterDepth: reading.deadLetterDepth,
    failuresPerSecond,
  };
}

/** Three decimals: 1/3 order per second reads 0.333, not 0.33333333333333331. */
function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
