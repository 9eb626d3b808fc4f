import { TransientError } from '../../domain/errors.js';
import { decideClaim, type ClaimDecision, type ClaimRequest, type IdempotencyRecord } from '../../domain/idempotency.js';

/* When a claim's write and the domain's decision disagree. */

/** The decision for a claim whose write was refused: any but PROCEED, which only a concurrent change can cause. */
export function refusal(current: IdempotencyRecord | undefined, request: ClaimRequest): ClaimDecision {
  const decision = decideClaim(current, request);
  if (decision.kind === 'PROCEED') throw claimRace(request.key, 'PROCEED');
  return decision;
}

/** The write and the domain disagree: only a concurrent change can cause it; the message is retried later. */
export function claimRace(key: string, kind: string, cause?: unknown): TransientError {
  return new TransientError(`idempotency claim for ${key}: the stored record changed under the claim (${kind})`, {
    code: 'IDEMPOTENCY.CLAIM_RACE',
    context: { key, kind },
    ...(cause === undefined ? {} : { cause }),
  });
}
