import fc from 'fast-check';
import {
  DEFAULT_ANALYSIS_OPTIONS,
  MESSAGE_ATTRIBUTES,
  type AnalysisOptions,
  type DeadLetterInput,
} from '../../domain/dead-letter-analysis.js';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';

export const options = DEFAULT_ANALYSIS_OPTIONS;
export const ORDER_BODY = JSON.stringify({
  orderId: 'o-1',
  customerId: 'c-1',
  currency: 'EUR',
  lines: [{ sku: 'A-1', quantity: 503, unitPriceMinor: 599 }],
});

export function message(overrides: Partial<DeadLetterInput> = {}): DeadLetterInput {
  return { attributes: {}, body: ORDER_BODY, receiveCount: 5, ...overrides };
}

export const categoryArb = fc.constantFrom(...ERROR_CATEGORIES);
export const inputArb: fc.Arbitrary<DeadLetterInput> = fc.record(
  {
    attributes: fc.dictionary(
      fc.oneof(fc.constantFrom(...Object.values(MESSAGE_ATTRIBUTES)), fc.string()),
      fc.oneof(fc.string(), categoryArb, fc.nat().map(String), fc.string({ unit: 'binary' })),
    ),
    body: fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 2_000 }),
      fc.json(),
      fc.record({ errorCategory: fc.oneof(categoryArb, fc.string()) }).map((b) => JSON.stringify(b)),
      fc.record({ error: fc.record({ category: fc.oneof(categoryArb, fc.string()) }) }).map((b) => JSON.stringify(b)),
      fc.uint8Array({ maxLength: 2_000 }).map((bytes) => String.fromCharCode(...bytes)),
    ),
    receiveCount: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.double()),
    recordedCategory: categoryArb,
  },
  { requiredKeys: ['attributes', 'body', 'receiveCount'] },
);
export const optionsArb: fc.Arbitrary<AnalysisOptions> = fc.record({
  permanenceReceiveThreshold: fc.integer({ min: 0, max: 50 }),
  maxRedrives: fc.integer({ min: 0, max: 20 }),
});

export function previousRedrives(input: DeadLetterInput): number {
  const raw = input.attributes[MESSAGE_ATTRIBUTES.redriveAttempt]?.trim() ?? '';
  return /^\d{1,15}$/.test(raw) ? Number(raw) : 0;
}
