import { expect } from 'chai';
import fc from 'fast-check';
import { type BackoffPolicy, type BackoffStrategy } from '../../domain/backoff.js';
import { ValidationError } from '../../domain/errors.js';

export const ALMOST_ONE = 1 - Number.EPSILON / 2;
export const constant = (value: number) => (): number => value;

export const unitRandom = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
export const strategies: BackoffStrategy[] = ['seed', 'full-jitter', 'equal-jitter', 'decorrelated-jitter'];
export const policyArb: fc.Arbitrary<BackoffPolicy> = fc.record({
  strategy: fc.constantFrom(...strategies),
  baseSeconds: fc.integer({ min: 0, max: 1_000 }),
  capSeconds: fc.integer({ min: 0, max: 100_000 }),
  baseJitterMinutes: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 60, noNaN: true })),
});
export const attemptArb = fc.oneof(
  fc.integer({ min: 1, max: 10_000 }),
  fc.constantFrom(0, -1, 1_024, 1_025, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308, Number.POSITIVE_INFINITY, Number.NaN),
  fc.double(),
);
export const previousArb = fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.double(), fc.constant(undefined));

export function expectCode(act: () => unknown, code: string): void {
  expect(act).to.throw(ValidationError).with.property('code', code);
}
