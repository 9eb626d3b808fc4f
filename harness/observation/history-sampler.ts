import type { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { ERROR_CATEGORIES, type ErrorCategory } from '../../domain/error-category.js';
import type { Clock } from '../../application/ports/clock.js';
import type { QueueDepth, QueueDepths } from '../backends/backend.js';
import type { CommitLedger } from './commit-ledger.js';
import { MetricsHistory, type HistoryReading, type HistorySample } from './metrics-history.js';
import { Schedule } from '../emulation/event-sources/schedule.js';

/** 150 samples: the last 5 minutes at the default 2 s. */
export const HISTORY_SAMPLES = 150;

export interface HistorySources {
  readonly clock: Clock;
  readonly metrics: RecordingMetrics;
  readonly commits: CommitLedger;
  readonly depths: () => Promise<QueueDepths>;
  readonly onError: (error: unknown) => void;
}

/**
 * Samples the counters and depths the status page charts on its own schedule, from the start, so a page
 * opened later still shows the last minutes. The first sample is taken at start: the baseline the
 * first rates are computed from.
 */
export class HistorySampler {
  private readonly history = new MetricsHistory(HISTORY_SAMPLES);
  private readonly schedule: Schedule<void>;

  constructor(
    private readonly everyMs: number,
    private readonly sources: HistorySources,
  ) {
    this.schedule = new Schedule(everyMs, () => this.sample(), sources.onError);
  }

  start(): void {
    if (this.everyMs <= 0) return;
    this.schedule.runNow().catch(this.sources.onError);
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  samples(): HistorySample[] {
    return this.history.samples();
  }

  private async sample(): Promise<void> {
    const depths = await this.sources.depths();
    this.history.record(readingOf(this.sources.clock.now(), this.sources.metrics, this.sources.commits, depths));
  }
}

export function readingOf(at: number, metrics: RecordingMetrics, commits: CommitLedger, depths: QueueDepths): HistoryReading {
  const failures = {} as Record<ErrorCategory, number>;
  for (const category of ERROR_CATEGORIES) failures[category] = metrics.total('FailuresByCategory', { category });
  const empty: QueueDepth = { visible: 0, inFlight: 0, delayed: 0 };
  const source = [depths.orders, depths.orchestrated ?? empty];
  return {
    at,
    accepted: metrics.total('OrdersAccepted'),
    succeeded: commits.totalCommits(),
    failures,
    queueDepth: source.reduce((sum, depth) => sum + total(depth), 0),
    deadLetterDepth: total(depths.deadLetters),
  };
}

function total(depth: QueueDepth): number {
  return depth.visible + depth.inFlight + depth.delayed;
}
