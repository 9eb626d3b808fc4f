import type { Clock } from '../../application/ports/clock.js';

export interface ManualClockOptions {
  /** Epoch ms the clock starts at. */
  readonly start?: number;
  /**
   * When true, a sleep does not wait for the test: once the code that is running has gone idle (the next
   * macrotask), the clock jumps to the earliest pending wake-up and resolves it. Concurrent sleeps of
   * 100 ms therefore all end at +100 ms, as they would on a real clock, and `now()` still shows the time
   * that passed. It keeps going while anyone sleeps, so code that polls forever makes it spin: use it where
   * backoff is incidental to the test, and leave it off to drive time by hand.
   */
  readonly autoAdvance?: boolean;
}

interface Sleeper {
  readonly wakeAt: number;
  readonly wake: () => void;
}

/** 2026-01-01T00:00:00Z: a fixed, realistic epoch so records and timestamps look like real ones. */
export const MANUAL_CLOCK_DEFAULT_START = Date.UTC(2026, 0, 1);

/**
 * A clock that only moves when told to. `advance` and `set` wake sleepers in the order of their wake-up
 * times, moving `now()` to each wake-up time in turn and letting the woken code run before going on, so
 * a loop that sleeps several times within the advanced span completes, seeing the times it would see
 * on a real clock. They resolve once every sleeper due by the target time has run.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly autoAdvance: boolean;
  private sleepers: Sleeper[] = [];
  private autoAdvanceScheduled = false;

  constructor(options: ManualClockOptions = {}) {
    this.current = options.start ?? MANUAL_CLOCK_DEFAULT_START;
    this.autoAdvance = options.autoAdvance ?? false;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    const slept = new Promise<void>((resolve) => {
      this.sleepers.push({ wakeAt: this.current + ms, wake: resolve });
    });
    if (this.autoAdvance) this.scheduleAutoAdvance();
    return slept;
  }

  /** Moves the clock forward by `ms`, waking every sleeper due by then. */
  advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError(`cannot advance a clock by ${ms} ms`);
    return this.runUntil(this.current + ms);
  }

  /** Moves the clock to `epochMs` (backwards too, to imitate clock skew), waking every sleeper due by then. */
  async set(epochMs: number): Promise<void> {
    if (!Number.isFinite(epochMs)) throw new RangeError(`cannot set a clock to ${epochMs}`);
    if (epochMs < this.current) {
      this.current = epochMs;
      return;
    }
    await this.runUntil(epochMs);
  }

  /** Sleeps not yet woken. */
  pendingSleeps(): number {
    return this.sleepers.length;
  }

  /** When the earliest pending sleep ends, if any. */
  nextWakeAt(): number | undefined {
    return this.earliestSleeper()?.wakeAt;
  }

  private async runUntil(target: number): Promise<void> {
    for (let next = this.earliestSleeper(); next !== undefined && next.wakeAt <= target; next = this.earliestSleeper()) {
      this.current = Math.max(this.current, next.wakeAt);
      this.wakeDue();
      await letWokenCodeRun();
    }
    this.current = Math.max(this.current, target);
  }

  private wakeDue(): void {
    const due = this.sleepers.filter((sleeper) => sleeper.wakeAt <= this.current);
    this.sleepers = this.sleepers.filter((sleeper) => sleeper.wakeAt > this.current);
    for (const sleeper of due) sleeper.wake();
  }

  private earliestSleeper(): Sleeper | undefined {
    let earliest: Sleeper | undefined;
    for (const sleeper of this.sleepers) {
      if (earliest === undefined || sleeper.wakeAt < earliest.wakeAt) earliest = sleeper;
    }
    return earliest;
  }

  private scheduleAutoAdvance(): void {
    if (this.autoAdvanceScheduled) return;
    this.autoAdvanceScheduled = true;
    setImmediate(() => {
      this.autoAdvanceScheduled = false;
      const next = this.earliestSleeper();
      if (next === undefined) return;
      void this.runUntil(next.wakeAt).then(() => {
        if (this.sleepers.length > 0) this.scheduleAutoAdvance();
      });
    });
  }
}

/** A macrotask turn: every promise continuation queued by the woken sleepers runs before it. */
function letWokenCodeRun(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}
