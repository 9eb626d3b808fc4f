import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_HARNESS_OPTIONS, type HarnessOptions } from '../../../harness/cli/options.js';
import { startHarness } from '../../../harness/server/start-harness.js';
import type { Harness } from '../../../harness/server/types.js';
import { PipelineClient } from './pipeline-client.js';

/**
 * Settings that keep the e2e suite quick: short visibility timeout and breaker recovery, frequent
 * redrive, a low maxReceiveCount, and equal-jitter backoff, whose delays are never 0 s.
 */
export const FAST_HARNESS: HarnessOptions = {
  ...DEFAULT_HARNESS_OPTIONS,
  port: 0,
  seed: 7,
  redriveEveryMs: 500,
  functionTimeoutSeconds: 5,
  visibilityTimeoutSeconds: 5,
  maxReceiveCount: 3,
  breakerRecoveryMs: 1_000,
  pollIntervalMs: 20,
  logLevel: 'DEBUG',
  // A spec that leaves messages behind must not wait the default 10 s in its afterEach.
  drainTimeoutMs: 1_000,
};

export const FAST_ENV: Readonly<Record<string, string>> = { ALLOW_FAILURE_SIMULATION: 'true', BACKOFF_STRATEGY: 'equal-jitter' };

export interface RunningHarness {
  readonly harness: Harness;
  readonly client: PipelineClient;
  readonly logs: string[];
}

const journals: string[] = [];
process.once('exit', () => {
  for (const path of journals) rmSync(path, { force: true });
});

/**
 * A journal file of its own for each harness on the aws backend (unless the test names one, to restart
 * on it): the default one in the working tree would carry one test's events into the next. Removed at exit.
 */
function ownJournal(): string {
  const path = join(tmpdir(), `harness-journal-${process.pid}-${journals.length + 1}.jsonl`);
  journals.push(path);
  return path;
}

/** Starts a harness on a free port with its logs kept in memory (printed by `dumpLogsOnFailure`). */
export async function startTestHarness(
  overrides: Partial<HarnessOptions> = {},
  env: Readonly<Record<string, string>> = {},
): Promise<RunningHarness> {
  const logs: string[] = [];
  const journal = overrides.backend === 'aws' && env.HARNESS_JOURNAL_FILE === undefined ? { HARNESS_JOURNAL_FILE: ownJournal() } : {};
  const harness = await startHarness(
    { ...FAST_HARNESS, ...overrides },
    { env: { ...FAST_ENV, ...journal, ...env }, write: (line) => logs.push(line) },
  );
  return { harness, client: new PipelineClient(harness.url), logs };
}

/**
 * Harnesses for the tests of one describe block: `start` them in a test; after each test every one it
 * started is stopped (a stop the test already made returns the same summary), and their last log lines
 * are printed when the test failed.
 */
export function useTestHarnesses(): {
  start(overrides?: Partial<HarnessOptions>, env?: Readonly<Record<string, string>>): Promise<RunningHarness>;
} {
  const started: RunningHarness[] = [];
  afterEach(async function () {
    for (const running of started) dumpLogsOnFailure(this.currentTest?.state, running);
    await Promise.all(started.splice(0).map((running) => running.harness.stop()));
  });
  return {
    start: async (overrides = {}, env = {}) => {
      const running = await startTestHarness(overrides, env);
      started.push(running);
      return running;
    },
  };
}

/** For an afterEach: the harness' last log lines when the test failed, so a failure explains itself. */
export function dumpLogsOnFailure(state: string | undefined, running: RunningHarness | undefined, lines = 60): void {
  if (state !== 'failed' || running === undefined) return;
  process.stderr.write(`--- last ${lines} harness log lines ---\n${running.logs.slice(-lines).join('\n')}\n---\n`);
}
