import { expect } from 'chai';
import { LeaseLostError, type FailureInfo } from '../../../domain/idempotency.js';

export const NOW = Date.UTC(2026, 0, 1, 12);
export const LEASE_MS = 30_000;
export const TTL_SECONDS = 3_600;
export const TRANSIENT: FailureInfo = { category: 'TRANSIENT', code: 'AWS.ThrottlingException' };
export const PERMANENT: FailureInfo = { category: 'PERMANENT', code: 'ORDER.UNKNOWN_CUSTOMER' };
export const TABLE_NOT_FOUND = { category: 'PERMANENT', code: 'AWS.ResourceNotFoundException' } as const;

export async function expectLeaseLost(attempt: Promise<unknown>): Promise<void> {
  let thrown: unknown;
  try {
    await attempt;
  } catch (error) {
    thrown = error;
  }
  expect(thrown).to.be.instanceOf(LeaseLostError);
}
