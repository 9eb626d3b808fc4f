import type { MetricsSnapshot } from '../observation/metrics-snapshot.js';
import { endingOf, type Check, type FinalState } from './invariants.js';
import type { ScenarioLog } from './scenario.js';

export interface ReportInput {
  readonly log: ScenarioLog;
  readonly state: FinalState;
  readonly metrics: MetricsSnapshot;
  readonly checks: readonly Check[];
  readonly elapsedMs: number;
  readonly logPath: string;
}

/** The final table and the invariants, as text for a terminal. */
export function renderReport({ log, state, metrics, checks, elapsedMs, logPath }: ReportInput): string {
  const accepted = [...log.accepted.values()];
  const endings = accepted.map((order) => ({ order, ending: endingOf(order.key, state) }));
  const succeeded = endings.filter(({ ending }) => ending.kind === 'SUCCEEDED').length;
  const parkedBy = new Map<string, number>();
  for (const { ending } of endings)
    if (ending.kind === 'PARKED') parkedBy.set(ending.category ?? 'UNKNOWN', (parkedBy.get(ending.category ?? 'UNKNOWN') ?? 0) + 1);
  const statuses = new Map<number, number>();
  for (const rejection of log.rejected) statuses.set(rejection.status, (statuses.get(rejection.status) ?? 0) + 1);
  const processedSent = state.events.filter((event) => event.detailType === 'OrderProcessed').length;
  const processedIds = new Set(state.events.filter((event) => event.detailType === 'OrderProcessed').map((event) => event.eventId)).size;
  const byType = metrics.events.byType;
  const outcomes = metrics.eventSource.outcomes;
  const rows: [string, string][] = [
    ['Accepted', `${accepted.length} distinct orders (${log.retriedSends} send(s) retried by the client after an injected 5xx)`],
    [
      'Rejected at the edge',
      `${log.rejected.length} (${[...statuses].map(([status, count]) => `HTTP ${status} ×${count}`).join(', ')}), each with its reason:`,
    ],
    ...log.rejected.map((rejection): [string, string] => [
      '',
      `  ${rejection.label.padEnd(32)} ${rejection.status} ${rejection.reasons.join(', ')}`,
    ]),
    ['Succeeded', `${succeeded}`],
    ['Duplicates suppressed', `${metrics.counters.duplicatesSuppressed} (at the edge and by the worker's claim)`],
    ['Redriven from the DLQ', `${metrics.counters.messagesRedriven} (in ${metrics.redrive.runs} redrive runs)`],
    ['Parked by category', parkedBy.size === 0 ? 'none' : [...parkedBy].map(([category, count]) => `${category} ${count}`).join(', ')],
    [
      'Events emitted',
      `OrderPublished ${byType.OrderPublished ?? 0} · OrderProcessed ${processedIds} (${processedSent} sends) · OrderFailed ${byType.OrderFailed ?? 0} · OrderParked ${byType.OrderParked ?? 0}`,
    ],
    [
      'Failures by category',
      Object.entries(metrics.failuresByCategory)
        .filter(([, count]) => count > 0)
        .map(([category, count]) => `${category} ${count}`)
        .join(', ') || 'none',
    ],
    [
      'Faults injected',
      `dynamodb ${metrics.faults.injected.dynamodb} · sqs ${metrics.faults.injected.sqs} · eventbridge ${metrics.faults.injected.eventbridge} · worker crashes ${metrics.faults.crashes}`,
    ],
    [
      'Breakers opened',
      `dynamodb ${metrics.breakerOpenings.dynamodb} · sqs ${metrics.breakerOpenings.sqs} · eventbridge ${metrics.breakerOpenings.eventbridge}`,
    ],
    [
      'Worker invocations',
      `${metrics.eventSource.invocations}: ${Object.entries(outcomes)
        .filter(([, count]) => count > 0)
        .map(([outcome, count]) => `${outcome} ${count}`)
        .join(', ')}`,
    ],
    ['Commits', `${metrics.commits.total}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = [
    '',
    `Demo finished in ${(elapsedMs / 1_000).toFixed(1)} s — ${metrics.topology} topology, ${metrics.backend} backend, seed ${metrics.seed}`,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    'Orders:',
    ...endings.map(({ order, ending }) => {
      const expected = order.expected.status === 'SUCCEEDED' ? 'SUCCEEDED' : `PARKED ${order.expected.category}`;
      const got = ending.kind === 'PARKED' ? `PARKED ${ending.detail}` : `${ending.kind} (${ending.detail})`;
      const note = got.startsWith(expected)
        ? ''
        : "   ← differs from the scenario's expectation (injected faults can exhaust a retry budget)";
      return `  ${order.label.padEnd(34)} expected ${expected.padEnd(18)} got ${got}${note}`;
    }),
    '',
    'Invariants:',
    ...checks.flatMap((check) => [`  ${check.ok ? '✔' : '✘'} ${check.name}`, ...check.problems.map((problem) => `      ${problem}`)]),
    '',
    `Harness log (JSON lines): ${logPath}`,
    '',
  ];
  return lines.join('\n');
}
