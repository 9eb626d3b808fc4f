import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import fc from 'fast-check';
import { isErrorCategory } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import {
  CircuitOpenError,
  IllegalTransitionError,
  PermanentError,
  ProcessingError,
  TimeoutError,
  TransientError,
  ValidationError,
} from '../../domain/errors.js';
import { THROTTLING_NAMES, TRANSIENT_NODE_CODES, awsError, nodeError } from './error-classifier.fixtures.js';

describe('Module: error-classifier', () => {
  describe('Function: classifyError', () => {
    describe("with the pipeline's own errors", () => {
      it('keeps the category and code each error carries', () => {
        const cases = [
          [new ValidationError('bad', { code: 'ORDER.INVALID' }), 'VALIDATION', 'ORDER.INVALID'],
          [new TransientError('blip', { code: 'X.BLIP' }), 'TRANSIENT', 'X.BLIP'],
          [new PermanentError('gone', { code: 'X.GONE' }), 'PERMANENT', 'X.GONE'],
          [new TimeoutError('slow', { code: 'X.SLOW' }), 'TIMEOUT', 'X.SLOW'],
          [new ProcessingError('oops', { code: 'X.OOPS' }), 'PROCESSING', 'X.OOPS'],
          [new CircuitOpenError('dynamodb', 1_000), 'TRANSIENT', 'BREAKER.OPEN'],
          [new IllegalTransitionError('breaker', 'OPEN', 'SUCCESS'), 'PERMANENT', 'STATE.ILLEGAL_TRANSITION'],
        ] as const;
        for (const [error, category, code] of cases) {
          expect(classifyError(error), error.name).to.deep.equal({ category, code, message: error.message, throttling: false });
        }
      });

      it('trusts the pipeline error over its cause', () => {
        const error = new ValidationError('bad order', { code: 'ORDER.INVALID', cause: nodeError('ECONNRESET') });
        expect(classifyError(error).category).to.equal('VALIDATION');
      });
    });

    describe('with AWS SDK errors', () => {
      it('marks every smithy throttling name as TRANSIENT throttling', () => {
        for (const name of THROTTLING_NAMES) {
          expect(classifyError(awsError(name, { $metadata: { httpStatusCode: 400 } })), name).to.include({
            category: 'TRANSIENT',
            code: `AWS.${name}`,
            throttling: true,
          });
        }
      });

      it('marks HTTP 429 and the $retryable throttling trait as throttling', () => {
        expect(classifyError({ $metadata: { httpStatusCode: 429 } })).to.include({
          category: 'TRANSIENT',
          code: 'AWS.Throttling',
          throttling: true,
        });
        expect(classifyError(awsError('SomethingNew', { $retryable: { throttling: true } }))).to.include({
          category: 'TRANSIENT',
          throttling: true,
        });
      });

      it('treats the $retryable trait, internal failures and HTTP 500/502/503/504 as TRANSIENT', () => {
        expect(classifyError(awsError('OddRetryable', { $retryable: {} }))).to.include({ category: 'TRANSIENT', throttling: false });
        for (const name of ['InternalFailure', 'InternalServerError', 'ServiceUnavailable', 'InternalError']) {
          expect(classifyError(awsError(name)), name).to.include({ category: 'TRANSIENT', code: `AWS.${name}` });
        }
        for (const status of [500, 502, 503, 504]) {
          expect(classifyError(awsError('Whatever', { $metadata: { httpStatusCode: status } })), String(status)).to.include({
            category: 'TRANSIENT',
          });
        }
      });

      it('treats timeouts as TIMEOUT', () => {
        for (const name of ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']) {
          expect(classifyError(awsError(name)), name).to.include({ category: 'TIMEOUT', code: `AWS.${name}` });
        }
      });

      it("treats S3's RequestTimeout as TIMEOUT although it comes with HTTP 400", () => {
        expect(classifyError(awsError('RequestTimeout', { $metadata: { httpStatusCode: 400 } }))).to.include({ category: 'TIMEOUT' });
      });

      it('treats client errors and server answers the SDK does not retry as PERMANENT', () => {
        for (const status of [400, 403, 404, 413, 501]) {
          expect(classifyError(awsError('SomeException', { $metadata: { httpStatusCode: status } })), String(status)).to.include({
            category: 'PERMANENT',
            code: 'AWS.SomeException',
          });
        }
        expect(classifyError(awsError('AccessDeniedException', { $fault: 'client' }))).to.include({ category: 'PERMANENT' });
      });

      it('reports the attempts the SDK already made', () => {
        const error = awsError('ThrottlingException', { $metadata: { httpStatusCode: 400, attempts: 3, totalRetryDelay: 900 } });
        expect(classifyError(error).sdkAttempts).to.equal(3);
        expect(classifyError(awsError('ThrottlingException'))).to.not.have.property('sdkAttempts');
      });

      it('classifies the real DynamoDB exception classes', () => {
        // Prepare
        const $metadata = { httpStatusCode: 400, attempts: 3 };
        const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', $metadata });
        const serverError = new InternalServerError({ message: 'oops', $metadata: { httpStatusCode: 500 } });
        const missing = new ResourceNotFoundException({ message: 'no table', $metadata });
        const conditionFailed = new ConditionalCheckFailedException({ message: 'exists', $metadata });
        // Act & Assess
        expect(classifyError(throttled)).to.include({ category: 'TRANSIENT', throttling: true, sdkAttempts: 3 });
        expect(classifyError(serverError)).to.include({ category: 'TRANSIENT', code: 'AWS.InternalServerError' });
        expect(classifyError(missing)).to.include({ category: 'PERMANENT', code: 'AWS.ResourceNotFoundException' });
        expect(classifyError(conditionFailed)).to.include({ category: 'PERMANENT', code: 'AWS.ConditionalCheckFailedException' });
      });
    });

    describe('with Node and JavaScript errors', () => {
      it('treats ETIMEDOUT as TIMEOUT', () => {
        expect(classifyError(nodeError('ETIMEDOUT'))).to.include({ category: 'TIMEOUT', code: 'NODE.ETIMEDOUT' });
      });

      it('treats network errno codes as TRANSIENT', () => {
        for (const code of TRANSIENT_NODE_CODES) {
          expect(classifyError(nodeError(code)), code).to.include({ category: 'TRANSIENT', code: `NODE.${code}`, throttling: false });
        }
      });

      it('finds a network failure in the cause, as fetch reports it', () => {
        // Prepare: undici throws TypeError('fetch failed') with the socket error as its cause
        const error = new TypeError('fetch failed', { cause: nodeError('ECONNRESET') });
        // Act
        const classification = classifyError(error);
        // Assess
        expect(classification).to.include({ category: 'TRANSIENT', code: 'NODE.ECONNRESET', message: 'fetch failed' });
      });

      it('finds a pipeline error several causes deep', () => {
        const inner = new ValidationError('bad', { code: 'ORDER.INVALID' });
        const error = new Error('outer', { cause: new Error('middle', { cause: inner }) });
        expect(classifyError(error)).to.include({ category: 'VALIDATION', code: 'ORDER.INVALID', message: 'outer' });
      });

      it('stops following a cycle of causes', () => {
        const error: Error & { cause?: unknown } = new Error('loop');
        error.cause = error;
        expect(classifyError(error)).to.include({ category: 'UNKNOWN', code: 'UNKNOWN' });
      });

      it('treats programming errors as PROCESSING', () => {
        for (const error of [
          new TypeError('x is undefined'),
          new RangeError('bad length'),
          new ReferenceError('y'),
          new SyntaxError('json'),
        ]) {
          expect(classifyError(error), error.name).to.include({ category: 'PROCESSING', code: `JS.${error.name}` });
        }
      });

      it('treats a plain Error as UNKNOWN', () => {
        expect(classifyError(new Error('who knows'))).to.deep.equal({
          category: 'UNKNOWN',
          code: 'UNKNOWN',
          message: 'who knows',
          throttling: false,
        });
      });

      it('treats the TimeoutError of AbortSignal.timeout as TIMEOUT', () => {
        const abort = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
        expect(classifyError(abort)).to.include({ category: 'TIMEOUT' });
      });
    });

    describe('with values that are not errors', () => {
      it('classifies them as UNKNOWN with a message that says what was thrown', () => {
        expect(classifyError('boom')).to.deep.equal({ category: 'UNKNOWN', code: 'UNKNOWN', message: 'boom', throttling: false });
        expect(classifyError(undefined).message).to.contain('undefined');
        expect(classifyError(null).message).to.contain('null');
        expect(classifyError(42).message).to.contain('number');
        expect(classifyError(Symbol('s')).message).to.contain('symbol');
      });

      it('truncates a long thrown string to 500 characters', () => {
        expect(classifyError('x'.repeat(10_000)).message).to.have.length(500);
      });
    });

    describe('properties', () => {
      const errorLike = fc.record(
        {
          name: fc.oneof(
            fc.constantFrom(...THROTTLING_NAMES, 'TimeoutError', 'TypeError', 'InternalFailure', 'Error'),
            fc.string(),
            fc.anything(),
          ),
          code: fc.oneof(fc.constantFrom(...TRANSIENT_NODE_CODES, 'ETIMEDOUT'), fc.anything()),
          message: fc.oneof(fc.string(), fc.anything()),
          $retryable: fc.oneof(fc.constant(undefined), fc.record({ throttling: fc.boolean() }), fc.anything()),
          $fault: fc.oneof(fc.constantFrom('client', 'server'), fc.anything()),
          $metadata: fc.oneof(
            fc.record({ httpStatusCode: fc.oneof(fc.integer({ min: 100, max: 599 }), fc.anything()), attempts: fc.anything() }),
            fc.anything(),
          ),
          cause: fc.anything(),
        },
        { requiredKeys: [] },
      );

      it('never throws and always answers a known category, a code and a message', () => {
        fc.assert(
          fc.property(fc.oneof(fc.anything(), errorLike), (thrown) => {
            const classification = classifyError(thrown);
            expect(isErrorCategory(classification.category)).to.equal(true);
            expect(classification.code).to.be.a('string').and.not.equal('');
            expect(classification.message).to.be.a('string');
            expect(classification.throttling).to.be.a('boolean');
            if (classification.sdkAttempts !== undefined) expect(Number.isFinite(classification.sdkAttempts)).to.equal(true);
          }),
          { numRuns: 1_000 },
        );
      });

      it('only ever reports throttling for TRANSIENT failures', () => {
        fc.assert(
          fc.property(errorLike, (thrown) => {
            const classification = classifyError(thrown);
            if (classification.throttling) expect(classification.category).to.equal('TRANSIENT');
          }),
        );
      });
    });
  });
});
