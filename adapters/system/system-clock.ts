import type { Clock } from '../../application/ports/clock.js';

/** Wall-clock time and real timers: what runs in Lambda. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      setTimeout(resolve, ms);
    });
  }
}
