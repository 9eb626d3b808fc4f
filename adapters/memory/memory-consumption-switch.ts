import type { ConsumptionSwitch } from '../../application/ports/consumption-switch.js';

/**
 * The event source mappings and pipes of one fleet, in memory: a flag the harness' event sources read
 * before each receive (`isPaused`), as Lambda's pollers stop receiving once a mapping is disabled. As in
 * AWS, pause and resume are idempotent and batches already in flight finish. `flips` counts the changes
 * that changed something (an UpdateEventSourceMapping that found the mapping already so is not one).
 */
export class MemoryConsumptionSwitch implements ConsumptionSwitch {
  private off = false;
  private changes = 0;

  pause(): Promise<void> {
    if (!this.off) this.changes += 1;
    this.off = true;
    return Promise.resolve();
  }

  resume(): Promise<void> {
    if (this.off) this.changes += 1;
    this.off = false;
    return Promise.resolve();
  }

  paused(): Promise<boolean> {
    return Promise.resolve(this.off);
  }

  /** What a poller asks before each receive. */
  isPaused(): boolean {
    return this.off;
  }

  flips(): number {
    return this.changes;
  }
}
