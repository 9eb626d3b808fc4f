import { type ClaimRequest, type FailureInfo, type IdempotencyRecord } from '../../domain/idempotency.js';

export const NOW = 1_700_000_000_000;
export const NOW_S = NOW / 1000;
export const DAY_S = 86_400;
export const FAILURE: FailureInfo = { category: 'TRANSIENT', code: 'AWS.ThrottlingException' };

/** A live record; every test states only what it is about. */
export function aRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    key: 'order-1',
    status: 'INFLIGHT',
    payloadHash: 'hash-1',
    attempts: 1,
    ownerToken: 'owner-a',
    leaseExpiresAt: NOW + 30_000,
    expiresAt: NOW_S + DAY_S,
    createdAt: NOW - 60_000,
    updatedAt: NOW - 60_000,
    ...overrides,
  };
}

export function released(overrides: Partial<IdempotencyRecord>): IdempotencyRecord {
  const { ownerToken: _owner, leaseExpiresAt: _lease, ...rest } = aRecord(overrides);
  return rest;
}

export function aClaim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { key: 'order-1', payloadHash: 'hash-1', ownerToken: 'owner-b', now: NOW, leaseMs: 20_000, ttlSeconds: DAY_S, ...overrides };
}
