import type { MetricsSnapshot } from '../observation/metrics-snapshot.js';

/** One line of what the pipeline is doing, for the demo's live progress. */
export function progressLine(elapsedMs: number, metrics: MetricsSnapshot, accepted: number): string {
  const open = (Object.entries(metrics.breakers) as [string, { status: string }][]).filter(([, breaker]) => breaker.status !== 'CLOSED');
  return [
    `${(elapsedMs / 1_000).toFixed(1).padStart(5)}s`,
    `queue ${metrics.queue.depth} (${metrics.queue.inFlight} in flight, ${metrics.queue.delayed} delayed)`,
    `DLQ ${metrics.deadLetterQueue.depth}`,
    `succeeded ${metrics.records.byStatus.SUCCEEDED}/${accepted}`,
    `parked ${metrics.parked}`,
    `redriven ${metrics.counters.messagesRedriven}`,
    `crashes ${metrics.faults.crashes}`,
    open.length === 0 ? 'breakers closed' : `breakers ${open.map(([service, breaker]) => `${service} ${breaker.status}`).join(', ')}`,
  ].join(' · ');
}
