import { expect } from 'chai';
import fc from 'fast-check';
import {
  BODY_SCAN_LIMIT,
  MESSAGE_ATTRIBUTES,
  analyseDeadLetter,
  type AnalysisOptions,
  type DeadLetterInput,
} from '../../domain/dead-letter-analysis.js';
import { ERROR_CATEGORIES, RETRY_POLICIES, type ErrorCategory } from '../../domain/error-category.js';
import { options, ORDER_BODY, message, categoryArb, inputArb, optionsArb, previousRedrives } from './dead-letter-analysis.fixtures.js';

describe('Module: dead-letter-analysis', () => {
  describe('Constant: MESSAGE_ATTRIBUTES', () => {
    it('names each attribute after its key', () => {
      for (const [key, name] of Object.entries(MESSAGE_ATTRIBUTES)) expect(name).to.equal(key);
      expect(Object.keys(MESSAGE_ATTRIBUTES)).to.include.members(['errorCategory', 'redriveAttempt', 'correlationId', 'idempotencyKey']);
    });
  });

  describe('Function: analyseDeadLetter', () => {
    describe('when the worker recorded a category attribute', () => {
      it('uses the attribute, above the record and the body', () => {
        // Prepare
        const input = message({
          attributes: { errorCategory: 'TRANSIENT' },
          recordedCategory: 'VALIDATION',
          body: '{"errorCategory":"PERMANENT"}',
        });
        // Act
        const verdict = analyseDeadLetter(input, options);
        // Assess
        expect(verdict).to.include({ action: 'REDRIVE', category: 'TRANSIENT', source: 'attribute', redriveAttempt: 1 });
      });

      it('accepts the category in any case and with surrounding spaces', () => {
        expect(analyseDeadLetter(message({ attributes: { errorCategory: ' timeout ' } }), options)).to.include({
          category: 'TIMEOUT',
          source: 'attribute',
        });
      });

      it('ignores an attribute that names no category', () => {
        const verdict = analyseDeadLetter(message({ attributes: { errorCategory: 'BOGUS' }, recordedCategory: 'PROCESSING' }), options);
        expect(verdict).to.include({ category: 'PROCESSING', source: 'record' });
      });

      it('parks categories that are never retried', () => {
        for (const category of ['VALIDATION', 'PERMANENT'] as const) {
          const verdict = analyseDeadLetter(message({ attributes: { errorCategory: category } }), options);
          expect(verdict.action, category).to.equal('PARK');
          expect(verdict.reason).to.contain('not retryable');
        }
      });
    });

    describe('when only the idempotency record knows the category', () => {
      it('uses the recorded category', () => {
        expect(analyseDeadLetter(message({ recordedCategory: 'VALIDATION' }), options)).to.include({
          action: 'PARK',
          category: 'VALIDATION',
          source: 'record',
        });
      });
    });

    describe('when only the body holds indicators', () => {
      it('reads errorCategory from a JSON body', () => {
        expect(analyseDeadLetter(message({ body: '{"orderId":"o-1","errorCategory":"TIMEOUT"}' }), options)).to.include({
          action: 'REDRIVE',
          category: 'TIMEOUT',
          source: 'body',
        });
      });

      it('reads error.category from a JSON body', () => {
        expect(analyseDeadLetter(message({ body: '{"error":{"category":"validation","code":"X"}}' }), options)).to.include({
          action: 'PARK',
          category: 'VALIDATION',
          source: 'body',
        });
      });

      it('ignores words in the business data of a JSON body (an order message has a schemaVersion)', () => {
        const body = JSON.stringify({ schemaVersion: '1', order: { orderId: 'o-1', lines: [{ sku: 'INVALID-TIMEOUT-CABLE' }] } });
        expect(analyseDeadLetter(message({ body }), options)).to.include({ action: 'REDRIVE', category: 'UNKNOWN', source: 'default' });
      });

      it('reads error text from the error fields of a JSON body', () => {
        const body = JSON.stringify({ order: { orderId: 'o-1' }, errorMessage: 'Task timed out after 30.00 seconds' });
        expect(analyseDeadLetter(message({ body }), options)).to.include({ category: 'TIMEOUT', source: 'body' });
      });

      it('recognises error text', () => {
        const cases: [string, ErrorCategory][] = [
          ['Task timed out after 30.00 seconds', 'TIMEOUT'],
          ['connect ETIMEDOUT 10.0.0.1:443', 'TIMEOUT'],
          ['ThrottlingException: Rate exceeded', 'TRANSIENT'],
          ['ProvisionedThroughputExceededException ... throttled', 'TRANSIENT'],
          ['read ECONNRESET', 'TRANSIENT'],
          ['503 Service Unavailable', 'TRANSIENT'],
          ['{"statusCode":502,"message":"upstream"}', 'TRANSIENT'],
          ['HTTP/1.1 500 oops', 'TRANSIENT'],
          ['ValidationException: quantity must be positive', 'VALIDATION'],
          ['payload does not match schema v2', 'VALIDATION'],
          ['invalid currency', 'VALIDATION'],
          ['AccessDeniedException: not authorized', 'PERMANENT'],
          ['ResourceNotFoundException: table missing', 'PERMANENT'],
          ['403 Forbidden', 'PERMANENT'],
        ];
        for (const [body, category] of cases) {
          expect(analyseDeadLetter(message({ body }), options), body).to.include({ category, source: 'body' });
        }
      });

      it('does not mistake numbers in an order for HTTP 5xx statuses', () => {
        expect(analyseDeadLetter(message({ body: ORDER_BODY }), options)).to.include({ category: 'UNKNOWN', source: 'default' });
      });

      it('falls back to text indicators when the JSON category is not a category', () => {
        expect(analyseDeadLetter(message({ body: '{"errorCategory":"NOPE","detail":"request timed out"}' }), options)).to.include({
          category: 'TIMEOUT',
          source: 'body',
        });
      });

      it('inspects only the first 64 KiB of the body', () => {
        // Prepare
        const padding = 'x'.repeat(BODY_SCAN_LIMIT);
        // Act
        const justInside = analyseDeadLetter(message({ body: padding.slice(7) + 'timeout' }), options);
        const justOutside = analyseDeadLetter(message({ body: padding.slice(6) + 'timeout' }), options);
        // Assess
        expect(justInside).to.include({ category: 'TIMEOUT', source: 'body' });
        expect(justOutside).to.include({ category: 'UNKNOWN', source: 'default' });
      });

      it('does not parse a JSON body longer than the scan limit', () => {
        const body = JSON.stringify({ pad: 'x'.repeat(BODY_SCAN_LIMIT), errorCategory: 'TRANSIENT' });
        expect(analyseDeadLetter(message({ body }), options)).to.include({ category: 'UNKNOWN', source: 'default' });
      });
    });

    describe('when nothing names a category', () => {
      it('infers PERMANENT from a receive count at or above the threshold, and parks', () => {
        const verdict = analyseDeadLetter(message({ receiveCount: 10 }), { ...options, permanenceReceiveThreshold: 10 });
        expect(verdict).to.include({ action: 'PARK', category: 'PERMANENT', source: 'receive-count' });
      });

      it('falls back to UNKNOWN below the threshold, and redrives', () => {
        const verdict = analyseDeadLetter(message({ receiveCount: 9 }), { ...options, permanenceReceiveThreshold: 10 });
        expect(verdict).to.include({ action: 'REDRIVE', category: 'UNKNOWN', source: 'default', redriveAttempt: 1 });
      });
    });

    describe('redrive budget', () => {
      const transient = { errorCategory: 'TRANSIENT' };

      it('numbers the next redrive from the redriveAttempt attribute', () => {
        const verdict = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt: '2' } }), options);
        expect(verdict).to.include({ action: 'REDRIVE', redriveAttempt: 3 });
      });

      it('counts a missing or garbage attribute as no previous redrive', () => {
        for (const redriveAttempt of ['', 'abc', '-1', '1.5', '1e3', '0x10', ' ']) {
          const verdict = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt } }), options);
          expect(verdict.redriveAttempt, JSON.stringify(redriveAttempt)).to.equal(1);
        }
        expect(analyseDeadLetter(message({ attributes: transient }), options).redriveAttempt).to.equal(1);
      });

      it('allows the last redrive and parks once the budget is spent', () => {
        const last = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt: '4' } }), { ...options, maxRedrives: 5 });
        const spent = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt: '5' } }), { ...options, maxRedrives: 5 });
        expect(last).to.include({ action: 'REDRIVE', redriveAttempt: 5 });
        expect(spent).to.include({ action: 'PARK', category: 'TRANSIENT', redriveAttempt: 6 });
        expect(spent.reason).to.contain('budget');
      });

      it('treats an absurdly large attempt number as a spent budget', () => {
        const verdict = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt: '9'.repeat(30) } }), options);
        expect(verdict.action).to.equal('PARK');
        expect(Number.isSafeInteger(verdict.redriveAttempt)).to.equal(true);
      });

      it('falls back to the default budget when the options are not numbers', () => {
        const broken = { permanenceReceiveThreshold: Number.NaN, maxRedrives: Number.NaN };
        const spent = analyseDeadLetter(message({ attributes: { ...transient, redriveAttempt: '5' } }), broken);
        expect(spent.action).to.equal('PARK');
      });
    });

    describe('properties', () => {
      it('never throws, and always returns a well-formed verdict, for arbitrary messages', () => {
        fc.assert(
          fc.property(inputArb, optionsArb, (input, opts) => {
            const verdict = analyseDeadLetter(input, opts);
            expect(ERROR_CATEGORIES).to.include(verdict.category);
            expect(['REDRIVE', 'PARK']).to.include(verdict.action);
            expect(['attribute', 'record', 'body', 'receive-count', 'default']).to.include(verdict.source);
            expect(Number.isSafeInteger(verdict.redriveAttempt) && verdict.redriveAttempt >= 1).to.equal(true);
            expect(verdict.reason).to.be.a('string').and.not.equal('');
          }),
          { numRuns: 500 },
        );
      });

      it('never throws for values that are not messages at all', () => {
        fc.assert(
          fc.property(fc.anything(), fc.anything(), (input, opts) => {
            const verdict = analyseDeadLetter(input as DeadLetterInput, opts as AnalysisOptions);
            expect(ERROR_CATEGORIES).to.include(verdict.category);
          }),
        );
      });

      it('parks exactly when the category is not retryable or the budget is spent', () => {
        fc.assert(
          fc.property(inputArb, optionsArb, (input, opts) => {
            const verdict = analyseDeadLetter(input, opts);
            const previous = previousRedrives(input);
            const shouldPark = !RETRY_POLICIES[verdict.category].retryable || previous >= opts.maxRedrives;
            expect(verdict.action).to.equal(shouldPark ? 'PARK' : 'REDRIVE');
            expect(verdict.redriveAttempt).to.equal(previous + 1);
            if (verdict.action === 'REDRIVE') expect(verdict.redriveAttempt).to.be.at.most(opts.maxRedrives);
          }),
          { numRuns: 500 },
        );
      });

      it('always lets a valid errorCategory attribute decide the category', () => {
        fc.assert(
          fc.property(inputArb, categoryArb, (input, category) => {
            const verdict = analyseDeadLetter({ ...input, attributes: { ...input.attributes, errorCategory: category } }, options);
            expect(verdict).to.include({ category, source: 'attribute' });
          }),
        );
      });

      it('stays fast on huge and adversarial bodies', () => {
        // Prepare: bodies built to make naive patterns backtrack, and one far larger than the scan limit
        const bodies = [
          'x'.repeat(20_000_000),
          'http '.repeat(20_000),
          'status:'.repeat(15_000) + '1'.repeat(20_000),
          `http${' 1'.repeat(40_000)}`,
          '{'.repeat(60_000),
          `{"a":${'['.repeat(30_000)}${']'.repeat(30_000)}}`,
        ];
        // Act
        const started = performance.now();
        for (const body of bodies) analyseDeadLetter(message({ body }), options);
        const elapsedMs = performance.now() - started;
        // Assess: generous for a slow CI machine; catastrophic backtracking takes seconds or more
        expect(elapsedMs).to.be.below(1_000);
      });
    });
  });
});
