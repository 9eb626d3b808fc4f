import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { EventBus, PipelineEvent } from '../../application/ports/event-bus.js';
import { ConsumptionLog, type Acknowledgement } from './consumption-log.js';
import { EventLog } from './event-log.js';

/** Where the aws backend's harness keeps what it saw, unless HARNESS_JOURNAL_FILE says otherwise. */
export const JOURNAL_FILE = '.harness-journal.jsonl';

/** A journal longer than this is cut to its newest entries when a harness opens it. */
const KEPT_ENTRIES = 200_000;

export type JournalEntry =
  { readonly kind: 'event'; readonly event: PipelineEvent } | { readonly kind: 'acknowledged'; readonly acknowledgement: Acknowledgement };

export interface Observers {
  readonly events: EventLog;
  readonly consumption: ConsumptionLog;
}

/**
 * The harness' own observations (the events the bus accepted, which consumer acknowledged each
 * order's messages) live in its memory; on the aws backend the records outlive the process, so a
 * restart would show orders without their events or consumer. With a journal file, each observation
 * is appended as a JSON line as it is made, and a harness started on the same file reads them back.
 * GET /orders/{key} shows only those made since the key's record was created, so a journal older
 * than the table (moto reset, records expired) does not lend an order someone else's past.
 */
export function harnessObservers(bus: EventBus, now: () => number, journalPath: string | undefined): Observers {
  if (journalPath === undefined) return { events: new EventLog(bus), consumption: new ConsumptionLog(now) };
  const append = (entries: readonly JournalEntry[]): void =>
    appendFileSync(journalPath, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  const events = new EventLog(bus, (published) => append(published.map((event) => ({ kind: 'event', event }))));
  const consumption = new ConsumptionLog(now, (acknowledgement) => append([{ kind: 'acknowledged', acknowledgement }]));
  for (const entry of readJournal(journalPath)) {
    if (entry.kind === 'event') events.restore([entry.event]);
    else consumption.restore(entry.acknowledgement);
  }
  return { events, consumption };
}

/** The journal's entries, oldest first; lines that are not entries (a write cut short) are skipped. */
export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const entries = lines.flatMap((line) => {
    const entry = parseEntry(line);
    return entry === undefined ? [] : [entry];
  });
  if (entries.length <= KEPT_ENTRIES) return entries;
  const kept = entries.slice(-KEPT_ENTRIES);
  writeFileSync(path, kept.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
  return kept;
}

function parseEntry(line: string): JournalEntry | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (value.kind === 'event' && isEvent(value.event)) return { kind: 'event', event: value.event };
  if (value.kind === 'acknowledged' && isAcknowledgement(value.acknowledgement))
    return { kind: 'acknowledged', acknowledgement: value.acknowledgement };
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEvent(value: unknown): value is PipelineEvent {
  return (
    isObject(value) &&
    typeof value.eventId === 'string' &&
    typeof value.source === 'string' &&
    typeof value.detailType === 'string' &&
    isObject(value.detail) &&
    typeof value.time === 'number'
  );
}

function isAcknowledgement(value: unknown): value is Acknowledgement {
  return isObject(value) && typeof value.consumer === 'string' && typeof value.key === 'string' && typeof value.at === 'number';
}
