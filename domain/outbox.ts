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
 * The sparse index that finds records owing events without a table scan (the redelivery's every-tick
 * look-up). An item is in it only while it owes events: `outboxPendingSince` (N, epoch ms: the commit time
 * of its oldest undelivered entry) is the sort key, `outboxPendingShard` (N, 0…OUTBOX_PENDING_SHARDS-1, from
 * the key) the partition key, so that no single index partition takes every order's two index writes.
 * Both attributes are removed with `outboxPending` by the delivery mark that leaves nothing owed.
 */
export const OUTBOX_PENDING_INDEX = 'outbox-pending';
export const OUTBOX_PENDING_SINCE_ATTRIBUTE = 'outboxPendingSince';
export const OUTBOX_PENDING_SHARD_ATTRIBUTE = 'outboxPendingShard';
/**
 * Index partitions the owing records are spread over. One partition key value takes about 1 000 writes a
 * second and every order writes the index twice (owing, then delivered): 8 carry about 4 000 orders a
 * second, and a look-up costs 8 small queries.
 */
export const OUTBOX_PENDING_SHARDS = 8;

/** Epoch ms since which the outbox owes events: the commit time of its oldest undelivered entry; undefined when nothing is owed. */
export function outboxPendingSince(outbox: readonly OutboxEntry[] | undefined): number | undefined {
  let since: number | undefined;
  for (const entry of outbox ?? []) {
    if (entry.deliveredAt === undefined && (since === undefined || entry.time < since)) since = entry.time;
  }
  return since;
}

/** The index partition of a record key (FNV-1a over its UTF-16 code units), stable across processes. */
export function outboxPendingShard(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % OUTBOX_PENDING_SHARDS;
}

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
  return (outbox ?? []).map((entry) =>
    entry.deliveredAt === undefined && delivered.has(entry.eventId) ? { ...entry, deliveredAt: now } : entry,
  );
}
