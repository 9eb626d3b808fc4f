import { ClaimIdempotency } from '../../../application/use-cases/claim-idempotency.js';
import { ReleaseFailedClaim } from '../../../application/use-cases/orchestrated-steps.js';
import { DYNAMODB_ADAPTERS } from '../aws-bindings/dynamodb.js';
import type { FunctionComposition } from '../function-container.js';

/** idempotency: claims and releases records in the idempotency table, nothing else. */
export const idempotencyComposition: FunctionComposition = {
  services: [DYNAMODB_ADAPTERS],
  useCases: [ClaimIdempotency, ReleaseFailedClaim],
};
