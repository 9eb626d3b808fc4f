/**
 * A poller's background loop, shared by the harness' event sources (the SQS event source mapping, the
 * outbox pipe): it runs `turn` again and again until stopped, and its pauses end early on `wake()` or
 * `stop()`, so a stop never waits out a poll interval.
 */
export class PollingLoop {
  private active = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(private readonly turn: () => Promise<void>) {}

  get running(): boolean {
    return this.active;
  }

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  /** Ends the loop after the turn under way; a pause in progress ends at once. */
  async stop(): Promise<void> {
    this.active = false;
    this.wake();
    await this.loop;
  }

  /** Ends the current pause, if any. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Waits `ms`, or less if woken or stopped; not at all once stopped. */
  pause(ms: number): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    while (this.active) await this.turn();
  }
}
