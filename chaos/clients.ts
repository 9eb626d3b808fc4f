import { validOrder } from '../harness/demo/payloads.js';
import type { ClientKey } from './verdict.js';

/** How the scenario's clients behave: a simple, honest client of the HTTP API. */
export interface ClientBehaviour {
  /** A 503, a 5xx or no answer is retried every `retryEveryMs` for up to `retryForMs`; the client then gives up. */
  readonly retryEveryMs: number;
  readonly retryForMs: number;
  /** Share of accepted orders posted again with the same payload (a client that did not see the answer). */
  readonly repostShare: number;
  /** Share of accepted orders followed by another payload under the same key (a client bug). */
  readonly conflictShare: number;
}

export const SIMPLE_CLIENT: ClientBehaviour = { retryEveryMs: 500, retryForMs: 10_000, repostShare: 0, conflictShare: 0 };

type Kind = ClientKey['kinds'][number];

const REQUEST_TIMEOUT_MS = 35_000;

/** The order a key carries; a conflict doubles the first line's quantity. */
function payloadOf(orderId: string, kind: Kind): Record<string, unknown> {
  const order = validOrder(orderId);
  if (kind !== 'conflict') return order;
  const [first, ...rest] = order.lines as Record<string, number | string>[];
  return { ...order, lines: [{ ...first, quantity: Number(first?.quantity ?? 1) * 2 }, ...rest] };
}

export function subtotalOf(order: Record<string, unknown>): number {
  return (order.lines as { quantity: number; unitPriceMinor: number }[]).reduce(
    (sum, line) => sum + line.quantity * line.unitPriceMinor,
    0,
  );
}

/** A small seeded generator (mulberry32), so a scenario's re-posts and conflicts are the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One key's life as a client lives it: POST until decided (202/200/409/422/4xx), retrying what the API
 * says to retry; then, for some keys, the same payload again or another payload under the key.
 */
export class KeyClient {
  private readonly answers: number[] = [];
  private readonly kinds: Kind[] = [];
  private firstPostAt = 0;
  private acceptedSubtotal: number | undefined;
  private conflictAccepted = false;
  /** When the original payload's posting ended (decided or given up). */
  decidedAt = 0;

  constructor(
    private readonly baseUrl: () => string,
    readonly key: string,
    private readonly orderId: string,
    private readonly behaviour: ClientBehaviour,
    private readonly random: () => number,
  ) {}

  /**
   * Posts the order until decided and resolves then; `followUps` resolves once the key's re-post and
   * conflicting post (if it gets them) are answered, so a client posting one order after another is not
   * held up by them.
   */
  async run(): Promise<{ readonly followUps: Promise<void> }> {
    this.firstPostAt = Date.now();
    const accepted = await this.postUntilDecided('original');
    this.decidedAt = Date.now();
    if (!accepted) return { followUps: Promise.resolve() };
    const repost = this.random() < this.behaviour.repostShare ? this.random() * 3_000 : undefined;
    const conflict = this.random() < this.behaviour.conflictShare ? this.random() * 1_000 : undefined;
    const followUps = (async () => {
      if (repost !== undefined) {
        await sleep(repost);
        await this.postUntilDecided('repost');
      }
      if (conflict !== undefined) {
        await sleep(conflict);
        if (await this.postUntilDecided('conflict')) this.conflictAccepted = true;
      }
    })();
    return { followUps };
  }

  result(): ClientKey {
    return {
      key: this.key,
      firstPostAt: this.firstPostAt,
      ...(this.acceptedSubtotal === undefined ? {} : { acceptedSubtotal: this.acceptedSubtotal }),
      answers: [...this.answers],
      kinds: [...this.kinds],
      ...(this.conflictAccepted ? { conflictAccepted: true } : {}),
    };
  }

  /** True when the payload was accepted (202, or 200 for one already known). */
  private async postUntilDecided(kind: Kind): Promise<boolean> {
    const payload = payloadOf(this.orderId, kind);
    const body = JSON.stringify(payload);
    const giveUpAt = Date.now() + this.behaviour.retryForMs;
    for (;;) {
      const status = await this.post(body);
      this.answers.push(status);
      this.kinds.push(kind);
      if (status === 202 || status === 200) {
        if (kind !== 'conflict') this.acceptedSubtotal ??= subtotalOf(payload);
        return true;
      }
      const retryable = status === 0 || status === 429 || status >= 500;
      if (!retryable || Date.now() + this.behaviour.retryEveryMs > giveUpAt) return false;
      await sleep(this.behaviour.retryEveryMs);
    }
  }

  private async post(body: string): Promise<number> {
    try {
      const response = await fetch(`${this.baseUrl()}/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': this.key },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }
}
