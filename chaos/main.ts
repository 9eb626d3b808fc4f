import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario, type ScenarioRun } from './run-scenario.js';
import type { Scenario } from './scenario.js';
import { scenarios } from './scenarios.js';
import { brokenInvariants } from './verdict.js';

/*
 * npm run chaos [-- --quick] [--only name,name] [--list]
 *
 * Runs the named fault scenarios one after another, each against a harness process of its own, and
 * prints one JSON line per scenario (progress goes to stderr). Exits 1 when a scenario broke one of the
 * invariants (lost orders, double commits, events for uncommitted outcomes, records owing events, …).
 * Targets on latency and rates are reported, met or not, but do not fail the run: on a shared machine
 * they measure the machine as much as the code.
 */

interface TargetCheck {
  readonly target: number;
  readonly measured: number | null;
  readonly met: boolean;
}

function targetChecks(scenario: Scenario, run: ScenarioRun, runs: ReadonlyMap<string, ScenarioRun>): Record<string, TargetCheck> {
  const checks: Record<string, TargetCheck> = {};
  const atMost = (name: string, target: number | undefined, measured: number | undefined): void => {
    if (target === undefined) return;
    checks[name] = { target, measured: measured ?? null, met: measured !== undefined && measured <= target };
  };
  const atLeast = (name: string, target: number | undefined, measured: number | undefined): void => {
    if (target === undefined) return;
    checks[name] = { target, measured: measured ?? null, met: measured !== undefined && measured >= target };
  };
  const { targets, baseline } = scenario;
  atMost('p99Ms', targets?.p99Ms, run.verdict.latency.p99Ms);
  atMost('maxMs', targets?.maxMs, run.verdict.latency.maxMs);
  atMost('parked', targets?.parked, run.verdict.parked);
  atMost('duplicateShare', targets?.duplicateShare, run.verdict.duplicateDeliveryShare);
  atMost('owingClearedWithinMs', targets?.owingClearedWithinMs, run.owingClearedAfterRecoveryMs);
  atMost('conflictAfterUnavailable', targets?.conflictAfterUnavailable, run.verdict.conflictAfterUnavailable);
  const base = baseline === undefined ? undefined : runs.get(baseline.scenario);
  if (baseline !== undefined) {
    const ratio = (mine: number, theirs: number | undefined): number | undefined =>
      theirs === undefined || theirs === 0 ? undefined : Math.round((mine / theirs) * 100) / 100;
    atLeast('postingRatio', baseline.minPostingRatio, ratio(run.postingRatePerSecond, base?.postingRatePerSecond));
    atLeast(
      'settledWhilePostingRatio',
      baseline.minSettledWhilePostingRatio,
      ratio(run.settledWhilePostingPerSecond, base?.settledWhilePostingPerSecond),
    );
  }
  return checks;
}

function summary(scenario: Scenario, run: ScenarioRun, runs: ReadonlyMap<string, ScenarioRun>): Record<string, unknown> {
  const { verdict } = run;
  return {
    scenario: scenario.name,
    what: scenario.what,
    backend: run.backend,
    startedAt: run.startedAt,
    durationS: Math.round(run.durationMs / 1_000),
    loadAverage: run.loadAverage,
    orders: run.orders,
    accepted: verdict.accepted,
    succeeded: verdict.succeeded,
    parked: verdict.parked,
    parkedByCategory: verdict.parkedByCategory,
    latencyMs: verdict.latency,
    postingRatePerSecond: run.postingRatePerSecond,
    settledWhilePostingPerSecond: run.settledWhilePostingPerSecond,
    owingClearedAfterRecoveryMs: run.owingClearedAfterRecoveryMs ?? null,
    settledInTime: run.settledInTime,
    lost: verdict.lost.length,
    leftAccepted: verdict.leftAccepted.length,
    committedTwice: verdict.committedTwice.length,
    eventsForUncommitted: verdict.eventsForUncommitted.length,
    committedNotAnnounced: verdict.committedNotAnnounced.length,
    queuedNotPublished: verdict.queuedNotPublished.length,
    publishedNeverQueued: verdict.publishedNeverQueued.length,
    owingEvents: verdict.owingEvents.length,
    announcedTwiceWithNewIds: verdict.announcedTwiceWithNewIds.length,
    duplicateDeliveryKeys: verdict.duplicateDeliveryKeys,
    duplicateDeliveryShare: Math.round(verdict.duplicateDeliveryShare * 10_000) / 10_000,
    firstAcceptedLost: verdict.firstAcceptedLost.length,
    conflictsAccepted: verdict.conflictsAccepted.length,
    conflictAfterUnavailable: verdict.conflictAfterUnavailable,
    ...(verdict.conflictAfterUnavailableSamples.length === 0
      ? {}
      : { conflictAfterUnavailableSamples: verdict.conflictAfterUnavailableSamples }),
    reservationReleasesFailed: run.reservationReleasesFailed,
    targets: targetChecks(scenario, run, runs),
    invariantsBroken: brokenInvariants(verdict),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const mode = argv.includes('--quick') ? 'quick' : 'full';
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',').filter((name) => name !== '') : undefined;
  const all = scenarios(mode);
  if (argv.includes('--list')) {
    for (const scenario of all) process.stdout.write(`${scenario.name}\t${scenario.what}\n`);
    return 0;
  }
  const unknown = (only ?? []).filter((name) => !all.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')} (npm run chaos -- --list${mode === 'quick' ? ' --quick' : ''})\n`);
    return 2;
  }
  const chosen = only === undefined ? all : all.filter((scenario) => only.includes(scenario.name));
  const logDirectory = mkdtempSync(join(tmpdir(), 'chaos-'));
  process.stderr.write(`chaos (${mode}): ${chosen.length} scenario(s); harness logs in ${logDirectory}\n`);
  const runs = new Map<string, ScenarioRun>();
  let broken = 0;
  for (const scenario of chosen) {
    process.stderr.write(`--- ${scenario.name}: ${scenario.what}\n`);
    const run = await runScenario(scenario, logDirectory, (line) => process.stderr.write(`    ${line}\n`));
    runs.set(scenario.name, run);
    const line = summary(scenario, run, runs);
    if ((line.invariantsBroken as string[]).length > 0) broken += 1;
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
  if (broken > 0) process.stderr.write(`chaos: ${broken} scenario(s) broke an invariant\n`);
  return broken > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(2);
  },
);
