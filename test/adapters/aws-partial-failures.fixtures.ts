import { createHash } from 'node:crypto';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import type { OutboundMessage } from '../../application/ports/queue-message.js';
import { useMotoServer } from '../../tools/moto/moto.js';

export const moto = useMotoServer();
export const NOW = Date.UTC(2026, 0, 1, 12);

export function messages(count: number): OutboundMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `m${index}`,
    body: `{"orderId":"order-${index}"}`,
    attributes: { orderId: `order-${index}` },
  }));
}

export function events(count: number): PipelineEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    eventId: `evt-${index}`,
    source: 'orders.pipeline',
    detailType: 'OrderProcessed',
    detail: { orderId: `order-${index}` },
    time: NOW,
  }));
}

/** A sleep that records what it was asked to wait and returns at once. */
export function recordingSleep(): { readonly delays: number[]; readonly sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

export interface BatchEntry {
  readonly Id: string;
  readonly MessageBody: string;
}

/** A Successful entry as SQS writes it: the SDK checks the body's MD5. */
export function sentEntry({ Id, MessageBody }: BatchEntry) {
  return { Id, MessageId: `fake-${Id}`, MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') };
}

/** A SendMessageBatch answer in which the chosen entries failed (not the sender's fault) and nothing was sent. */
export function sqsEntriesFailed(failing: (id: string) => boolean) {
  return {
    kind: 'reply' as const,
    body: (input: Readonly<Record<string, unknown>>) => {
      const entries = input.Entries as BatchEntry[];
      return {
        Successful: entries.filter(({ Id }) => !failing(Id)).map(sentEntry),
        Failed: entries
          .filter(({ Id }) => failing(Id))
          .map(({ Id }) => ({ Id, SenderFault: false, Code: 'InternalError', Message: 'try again' })),
      };
    },
  };
}
