import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { OutboundMessage } from '../../../application/ports/queue-message.js';
import { classifyError, type Classification } from '../../../domain/error-classifier.js';

/** What every contract subject may offer: a way to release what it created (queues, tables, rules). */
export interface Disposable {
  dispose?(): Promise<void>;
}

/**
 * A fresh subject for every test, disposed afterwards. Returns a getter: the subject exists only inside
 * tests and hooks, so a contract can run against a real emulator whose resources are made per test.
 */
export function freshSubjectPerTest<S extends Disposable>(makeSubject: () => Promise<S>): () => S {
  let subject: S | undefined;
  beforeEach(async () => {
    subject = await makeSubject();
  });
  afterEach(async () => {
    const finished = subject;
    subject = undefined;
    await finished?.dispose?.();
  });
  return () => {
    if (subject === undefined) throw new Error('the contract subject exists only inside a test');
    return subject;
  };
}

/** A name no other test (or earlier run against the same emulator) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** An order message as the ingest sends it: JSON body, correlation and identity in string attributes. */
export function anOrderMessage(index: number, overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  const orderId = `order-${String(index).padStart(4, '0')}`;
  return {
    id: `m${index}`,
    body: JSON.stringify({
      orderId,
      customerId: 'customer-0001',
      currency: 'EUR',
      lines: [{ sku: 'SKU-0001', quantity: 1, unitPriceMinor: 1_999 }],
    }),
    attributes: { correlationId: `corr-${index}`, orderId },
    ...overrides,
  };
}

/** One character more than SQS accepts in a message (1 MiB). */
export function anOversizedBody(): string {
  return 'x'.repeat(1_048_577);
}

/**
 * How a call the service refused as a whole surfaces: it must throw (a refusal reported as failed entries
 * would send callers down another path), and the one classifier reads the thrown error.
 */
export async function refusalOf(call: () => Promise<unknown>): Promise<Pick<Classification, 'category' | 'code'>> {
  let outcome: { readonly threw: false; readonly value: unknown } | { readonly threw: true; readonly error: unknown };
  try {
    outcome = { threw: false, value: await call() };
  } catch (error) {
    outcome = { threw: true, error };
  }
  if (!outcome.threw) expect.fail(`expected the call to be refused, it answered ${JSON.stringify(outcome.value)}`);
  const { category, code } = classifyError(outcome.error);
  return { category, code };
}
