/* What bench:calls counts per run, and the table it prints. */

const SERVICES = ['dynamodb', 'sqs', 'eventbridge'] as const;

export interface RunResult {
  readonly name: string;
  /** Messages worked, or events delivered by the relay. */
  readonly messages: number;
  readonly counts: Record<string, Record<string, number>>;
  readonly requests: Record<string, Record<string, number>>;
  readonly outcomes: Record<string, number>;
}

export function merge(into: Map<string, Map<string, number>>, counts: Record<string, Record<string, number>>): void {
  for (const [service, operations] of Object.entries(counts)) {
    const target = into.get(service) ?? new Map<string, number>();
    for (const [operation, count] of Object.entries(operations)) target.set(operation, (target.get(operation) ?? 0) + count);
    into.set(service, target);
  }
}

export function callsOf(run: RunResult, service: string, operation?: string): number {
  const operations = run.counts[service] ?? {};
  return operation === undefined ? Object.values(operations).reduce((sum, count) => sum + count, 0) : (operations[operation] ?? 0);
}

export function round(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}

export function printTable(runs: readonly RunResult[]): void {
  const rows = [
    ['run', 'messages/events', 'outcomes', ...SERVICES.map((service) => `${service} calls (per message)`), 'HTTP requests', 'operations'],
  ];
  for (const run of runs) {
    const perService = SERVICES.map((service) => `${callsOf(run, service)} (${round(callsOf(run, service) / run.messages)})`);
    const requests = Object.values(run.requests)
      .flatMap((operations) => Object.values(operations))
      .reduce((sum, count) => sum + count, 0);
    const operations = Object.entries(run.counts)
      .flatMap(([service, ops]) => Object.entries(ops).map(([operation, count]) => `${service}.${operation}=${count}`))
      .join(' ');
    const outcomes = Object.entries(run.outcomes)
      .map(([status, count]) => `${status}=${count}`)
      .join(' ');
    rows.push([run.name, String(run.messages), outcomes, ...perService, String(requests), operations || '-']);
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
  }
}
