import { validOrder } from './payloads.js';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** Sends it took (retries of 5xx included). */
  readonly tries: number;
}

const MAX_TRIES = 6;
const MAX_RETRY_WAIT_MS = 1_000;

/**
 * What a well-behaved client does: POSTs with the same Idempotency-Key on every try, and retries a 503
 * (or 500) after Retry-After, so a fault between the client and the queue never loses or doubles an order.
 */
export class DemoClient {
  constructor(private readonly baseUrl: string) {}

  /** POSTs a valid order under `idempotencyKey`: true when accepted (202, or 200 for a key already done), false on any other answer or error. */
  async postOrder(orderId: string, idempotencyKey: string): Promise<boolean> {
    try {
      const answer = await this.post('/orders', JSON.stringify(validOrder(orderId)), {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
      });
      return answer.status === 202 || answer.status === 200;
    } catch {
      return false;
    }
  }

  async post(path: string, body: string, headers: Readonly<Record<string, string>>): Promise<Answer> {
    for (let tries = 1; ; tries += 1) {
      const response = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers, body });
      const answer = { status: response.status, body: await parse(response), tries };
      if (response.status < 500 || tries >= MAX_TRIES) return answer;
      const retryAfter = Number(response.headers.get('retry-after') ?? '1');
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_RETRY_WAIT_MS, Math.max(100, retryAfter * 1_000))));
    }
  }

  async get(path: string): Promise<Answer> {
    const response = await fetch(`${this.baseUrl}${path}`);
    return { status: response.status, body: await parse(response), tries: 1 };
  }
}

async function parse(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed };
  } catch {
    return { text };
  }
}
