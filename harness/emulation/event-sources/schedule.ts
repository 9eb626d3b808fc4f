/**
 * Runs `task` every `intervalMs` (counted from the end of the previous run), never two at once: a run
 * asked for while one is going joins it, as a scheduled function with reserved concurrency 1 would.
 * A failing run is reported and the schedule goes on.
 */
export class Schedule<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private stopped = true;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<T>,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    this.stopped = false;
    this.arm();
  }

  /** Runs the task now, or joins the run in progress. */
  runNow(): Promise<T> {
    this.running ??= this.task().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.runNow()
        .catch((error: unknown) => this.onError(error))
        .finally(() => {
          if (!this.stopped) this.arm();
        });
    }, this.intervalMs);
  }
}
