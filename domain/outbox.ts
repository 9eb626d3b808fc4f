/**
 * The transactional outbox: the events that announce a record's outcome are stored on the record, in the
 * same conditional write that commits the outcome, and delivered afterwards by a relay that reads the
 * table's change stream. An order's fate never waits for its notification channel, and no event
 * announces an outcome that was not committed.
 *
 * Entries are appended, never removed or rewritten, except that `deliveredAt` is set once the relay's
 * PutEvents accepted the entry. A record carries `outboxPending` while any entry is undelivered; that
 * attribute is what the stream filter passes.
 */
export interface OutboxEntry {
  /** Deterministic (key, type, discriminator): a re-delivered event is recognisable downstream. */
  readonly eventId: string;
  readonly detailType: string;
  readonly source: string;
  /** Epoch ms: when the outcome it announces was committed. */
  readonly time: number;
  /** The event's own detail fields as JSON; the envelope fields come from the record when it is delivered. */
  readonly detail: string;
  /** Epoch ms; set once, when the event bus accepted it. */
  readonly deliveredAt?: number;
}

/** The item attribute (BOOL true) that marks a record with undelivered events; absent otherwise. */
export const OUTBOX_PENDING_ATTRIBUTE = 'outboxPending';

/**
 * The EventBridge Pipes filter on the table's stream (NEW_IMAGE): only images that carry undelivered
 * events reach the relay. The relay's own delivery write removes the attribute, so it is not relayed again.
 */
export const OUTBOX_STREAM_FILTER = { dynamodb: { NewImage: { [OUTBOX_PENDING_ATTRIBUTE]: { BOOL: [true] } } } } as const;

/** Appends the entries whose eventId the outbox does not hold yet (a re-committed event is not doubled). */
export function appendToOutbox(outbox: readonly OutboxEntry[] | undefined, entries: readonly OutboxEntry[]): OutboxEntry[] {
  const result = [...(outbox ?? [])];
  const known = new Set(result.map((entry) => entry.eventId));
  for (const entry of entries) {
    if (known.has(entry.eventId)) continue;
    known.add(entry.eventId);
    const { deliveredAt: _delivered, ...fresh } = entry;
    result.push(fresh);
  }
  return result;
}

export function pendingEntries(outbox: readonly OutboxEntry[] | undefined): OutboxEntry[] {
  return (outbox ?? []).filter((entry) => entry.deliveredAt === undefined);
}

export function hasPendingEvents(outbox: readonly OutboxEntry[] | undefined): boolean {
  return (outbox ?? []).some((entry) => entry.deliveredAt === undefined);
}

/** Marks the named entries delivered at `now`; entries already delivered keep their first time. */
export function markDelivered(outbox: readonly OutboxEntry[] | undefined, eventIds: Iterable<string>, now: number): OutboxEntry[] {
  const delivered = new Set(eventIds);
  return (outbox ?? []).map((entry) => (entry.deliveredAt === undefined && delivered.has(entry.eventId) ? { ...entry, deliveredAt: now } : entry));
}
