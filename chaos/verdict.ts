/*
 * What a fault scenario proves, computed from what the clients saw and what the harness observed after
 * settling (GET /admin/orders). Pure: the runner gathers, this judges (test/chaos/verdict.spec.ts).
 */

/** One idempotency key as the scenario's clients used it. */
export interface ClientKey {
  readonly key: string;
  /** When the first POST for the key left the client (ms since the epoch). */
  readonly firstPostAt: number;
  /** Subtotal (minor units) of the payload the edge accepted first (202/200), if any was. */
  readonly acceptedSubtotal?: number;
  /** Every answer the key got, in order: HTTP status, or 0 for a request that got no answer. */
  readonly answers: readonly number[];
  /** The payload of each answer: 'original', 'repost' (the same payload again) or 'conflict' (another payload under the key). */
  readonly kinds: ReadonlyArray<'original' | 'repost' | 'conflict'>;
  /** A conflicting payload was answered 202/200 after the key's first payload had been accepted. */
  readonly conflictAccepted?: boolean;
}

/** The harness' view of one key (harness/observation/order-observations.ts). */
export interface ObservedOrder {
  readonly key: string;
  readonly status: string;
  readonly attempts: number;
  readonly updatedAt: number;
  readonly settledAt?: number;
  readonly commits: number;
  readonly outcome?: Readonly<Record<string, unknown>>;
  readonly lastError?: { readonly category: string; readonly code: string };
  readonly outbox: ReadonlyArray<{ readonly eventId: string; readonly detailType: string; readonly delivered: boolean }>;
  readonly delivered: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface Verdict {
  readonly keys: number;
  /** Keys the edge accepted (202 or 200) at least once. */
  readonly accepted: number;
  readonly succeeded: number;
  readonly parked: number;
  readonly parkedByCategory: Readonly<Record<string, number>>;
  /** Accepted keys neither SUCCEEDED nor PARKED after settling. */
  readonly lost: readonly string[];
  /** Records left ACCEPTED (reserved, never worked) after settling, whatever the client was told. */
  readonly leftAccepted: readonly string[];
  readonly committedTwice: readonly string[];
  /** Keys with an OrderProcessed delivered while the record is not SUCCEEDED. */
  readonly eventsForUncommitted: readonly string[];
  /** SUCCEEDED keys whose OrderProcessed was never delivered. */
  readonly committedNotAnnounced: readonly string[];
  /** SUCCEEDED keys (their message was queued and worked) whose OrderPublished was never delivered. */
  readonly queuedNotPublished: readonly string[];
  /** Keys announced as published (OrderPublished delivered) whose message no worker ever received (0 attempts). */
  readonly publishedNeverQueued: readonly string[];
  /** Keys whose record still owes events. */
  readonly owingEvents: readonly string[];
  /** Keys with two different ids for one event type that must be announced once (OrderProcessed, OrderPublished). */
  readonly announcedTwiceWithNewIds: readonly string[];
  /** Keys with an event delivered more than once under one id (allowed: at least once), and their share of accepted keys. */
  readonly duplicateDeliveryKeys: number;
  readonly duplicateDeliveryShare: number;
  /** Keys whose committed outcome is not the first accepted payload's. */
  readonly firstAcceptedLost: readonly string[];
  /** A conflicting payload answered 202/200 under a key whose first payload was accepted. */
  readonly conflictsAccepted: readonly string[];
  /** Same-payload requests answered 409 after a 503 for that key, before any answer accepted it. */
  readonly conflictAfterUnavailable: number;
  /** The keys of those 409s, with each key's answers in order (first few), to look up in the harness log. */
  readonly conflictAfterUnavailableSamples: readonly string[];
  readonly latency: LatencySummary;
}

const ANNOUNCED_ONCE = ['OrderProcessed', 'OrderPublished'];

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export function latencySummary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

const isAccepted = (status: number): boolean => status === 202 || status === 200;

export function judge(clients: readonly ClientKey[], observed: readonly ObservedOrder[]): Verdict {
  const byKey = new Map(observed.map((order) => [order.key, order]));
  const accepted = clients.filter((client) =>
    client.answers.some((status, index) => isAccepted(status) && client.kinds[index] !== 'conflict'),
  );
  const lost: string[] = [];
  const latencies: number[] = [];
  const parkedByCategory: Record<string, number> = {};
  let succeeded = 0;
  let parked = 0;
  for (const client of accepted) {
    const order = byKey.get(client.key);
    if (order === undefined || (order.status !== 'SUCCEEDED' && order.status !== 'PARKED')) {
      lost.push(client.key);
      continue;
    }
    if (order.status === 'SUCCEEDED') succeeded += 1;
    else {
      parked += 1;
      const category = order.lastError?.category ?? 'UNKNOWN';
      parkedByCategory[category] = (parkedByCategory[category] ?? 0) + 1;
    }
    latencies.push(Math.max(0, (order.settledAt ?? order.updatedAt) - client.firstPostAt));
  }
  const eventsForUncommitted: string[] = [];
  const committedNotAnnounced: string[] = [];
  const queuedNotPublished: string[] = [];
  const publishedNeverQueued: string[] = [];
  const announcedTwiceWithNewIds: string[] = [];
  let duplicateDeliveryKeys = 0;
  for (const order of observed) {
    const processed = Object.keys(order.delivered.OrderProcessed ?? {});
    if (order.status !== 'SUCCEEDED' && processed.length > 0) eventsForUncommitted.push(order.key);
    if (order.status === 'SUCCEEDED' && processed.length === 0) committedNotAnnounced.push(order.key);
    if (order.status === 'SUCCEEDED' && Object.keys(order.delivered.OrderPublished ?? {}).length === 0) queuedNotPublished.push(order.key);
    if (order.attempts === 0 && Object.keys(order.delivered.OrderPublished ?? {}).length > 0) publishedNeverQueued.push(order.key);
    if (ANNOUNCED_ONCE.some((type) => Object.keys(order.delivered[type] ?? {}).length > 1)) announcedTwiceWithNewIds.push(order.key);
    if (Object.values(order.delivered).some((ids) => Object.values(ids).some((count) => count > 1))) duplicateDeliveryKeys += 1;
  }
  const firstAcceptedLost: string[] = [];
  const conflictsAccepted: string[] = [];
  let conflictAfterUnavailable = 0;
  const conflictAfterUnavailableSamples: string[] = [];
  for (const client of clients) {
    const order = byKey.get(client.key);
    const subtotal = order?.outcome?.subtotalMinor;
    if (client.acceptedSubtotal !== undefined && typeof subtotal === 'number' && subtotal !== client.acceptedSubtotal)
      firstAcceptedLost.push(client.key);
    if (client.conflictAccepted === true) conflictsAccepted.push(client.key);
    let unavailable = false;
    let accepted = false;
    client.answers.forEach((status, index) => {
      if (client.kinds[index] === 'conflict') return;
      // Once accepted, the order is queued: a 409 for a re-post is then the truth, whatever 503 came between.
      if (isAccepted(status)) {
        accepted = true;
        unavailable = false;
      } else if (status === 503) unavailable = !accepted;
      else if (status === 409 && unavailable) {
        conflictAfterUnavailable += 1;
        if (conflictAfterUnavailableSamples.length < 5) conflictAfterUnavailableSamples.push(`${client.key}: ${client.answers.join(' ')}`);
      }
    });
  }
  return {
    keys: clients.length,
    accepted: accepted.length,
    succeeded,
    parked,
    parkedByCategory,
    lost,
    leftAccepted: observed.filter((order) => order.status === 'ACCEPTED').map((order) => order.key),
    committedTwice: observed.filter((order) => order.commits > 1).map((order) => order.key),
    eventsForUncommitted,
    committedNotAnnounced,
    queuedNotPublished,
    publishedNeverQueued,
    owingEvents: observed.filter((order) => order.outbox.some((entry) => !entry.delivered)).map((order) => order.key),
    announcedTwiceWithNewIds,
    duplicateDeliveryKeys,
    duplicateDeliveryShare: accepted.length === 0 ? 0 : duplicateDeliveryKeys / accepted.length,
    firstAcceptedLost,
    conflictsAccepted,
    conflictAfterUnavailable,
    conflictAfterUnavailableSamples,
    latency: latencySummary(latencies),
  };
}

/** The guarantees every scenario must keep, whatever its faults: each broken one is named. */
export function brokenInvariants(verdict: Verdict): string[] {
  const broken: string[] = [];
  const check = (name: string, offenders: readonly string[]): void => {
    if (offenders.length > 0)
      broken.push(`${name}: ${offenders.length} (${offenders.slice(0, 3).join(', ')}${offenders.length > 3 ? ', …' : ''})`);
  };
  check('lost orders', verdict.lost);
  check('committed twice', verdict.committedTwice);
  check('events announcing an uncommitted outcome', verdict.eventsForUncommitted);
  check('committed outcomes never announced', verdict.committedNotAnnounced);
  check('queued orders never announced as published', verdict.queuedNotPublished);
  check('orders announced as published that were never queued', verdict.publishedNeverQueued);
  check('records still owing events', verdict.owingEvents);
  check('one event announced under two ids', verdict.announcedTwiceWithNewIds);
  check('first accepted payload not the one committed', verdict.firstAcceptedLost);
  check('conflicting payload accepted', verdict.conflictsAccepted);
  check('reservations left ACCEPTED with nothing to process them', verdict.leftAccepted);
  return broken;
}
