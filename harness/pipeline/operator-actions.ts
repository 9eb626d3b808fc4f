import { randomUUID } from 'node:crypto';
import type { RedeliverReport } from '../../application/use-cases/redeliver-outbox.js';
import type { ReplayReport } from '../../application/use-cases/replay-parked-orders.js';
import type { RedriveHandler } from '../../handlers/redrive.js';
import { invoke } from '../emulation/lambda/invocation.js';

export type ReplayAnswer =
  { readonly statusCode: 200; readonly report: ReplayReport } | { readonly statusCode: 400 | 500; readonly message: string };

/** The redrive function's operator inputs, invoked as Lambda would invoke them. */
export function operatorActions(
  redrive: RedriveHandler,
  timeoutMs: number,
): {
  readonly redeliver: (force: boolean) => Promise<RedeliverReport>;
  readonly replay: (input: unknown) => Promise<ReplayAnswer>;
} {
  return {
    redeliver: async (force) => {
      const end = await invoke({ functionName: 'redrive', requestId: randomUUID(), timeoutMs }, () =>
        redrive({ action: 'redeliver-outbox', force }),
      );
      if (end.kind === 'returned') return end.value;
      throw new Error(`outbox redelivery ${end.kind}${end.kind === 'threw' ? `: ${String(end.error)}` : ''}`);
    },
    replay: async (input) => {
      const request = typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {};
      const end = await invoke({ functionName: 'redrive', requestId: randomUUID(), timeoutMs }, () =>
        redrive({ ...request, action: 'replay' }),
      );
      if (end.kind === 'returned') return { statusCode: 200, report: end.value };
      if (end.kind === 'threw') {
        const error = end.error as { category?: string; message?: string };
        return { statusCode: error.category === 'VALIDATION' ? 400 : 500, message: error.message ?? String(end.error) };
      }
      return { statusCode: 500, message: `replay ${end.kind}` };
    },
  };
}
