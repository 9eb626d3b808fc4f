import { expect } from 'chai';
import type { PipelineFixtureOptions } from '../support/pipeline-fixture.js';
import { codes, edgeOf, expectUntouched, HANDLERS, requestTo, bodyOf } from './http-edge.fixtures.js';
import { sampleOrderBody } from './lambda-events.js';

for (const { name, route, success, create } of HANDLERS) {
  describe(`Function: ${name} handler (API Gateway HTTP API, payload 2.0): size, encoding, media type, headers`, () => {
    const edge = (options: PipelineFixtureOptions = {}) => edgeOf(create, options);
    const send = (body: string | null, headers: Record<string, string | undefined> = {}, isBase64Encoded = false) =>
      requestTo(route, body, headers, isBase64Encoded);

    it('answers 400 BODY.TOO_LARGE for a body over the configured limit, counted in bytes', async () => {
      // Prepare: 1 100 characters of which 700 are two-byte: 1 800 bytes against a limit of 1 500 … in bytes, not characters
      const subject = edge({ env: { MAX_BODY_BYTES: '1500' } });
      const body = JSON.stringify({ ...sampleOrderBody(), customerId: 'é'.repeat(700) });
      expect(body.length).to.be.below(1_500);

      // Act
      const response = await subject.call(send(body));

      // Assess
      expect(response.statusCode).to.equal(400);
      expect(codes(response)).to.deep.equal(['BODY.TOO_LARGE']);
      expectUntouched(subject);
    });

    it(`reads a base64-encoded body and answers ${success}`, async () => {
      const subject = edge();

      const response = await subject.call(send(Buffer.from(JSON.stringify(sampleOrderBody())).toString('base64'), {}, true));

      expect(response.statusCode).to.equal(success);
    });

    it('applies the size limit to the decoded base64 body', async () => {
      const subject = edge({ env: { MAX_BODY_BYTES: '1024' } });

      const response = await subject.call(send(Buffer.from(`{"pad":"${'x'.repeat(1_100)}"}`).toString('base64'), {}, true));

      expect(codes(response)).to.deep.equal(['BODY.TOO_LARGE']);
    });

    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', undefined]) {
      it(`answers 415 for Content-Type ${String(contentType)} and touches nothing`, async () => {
        const subject = edge();

        const response = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'content-type': contentType }));

        expect(response.statusCode).to.equal(415);
        expect(JSON.parse(response.body)).to.deep.include({ error: 'UNSUPPORTED_MEDIA_TYPE', correlationId: 'corr-from-client-0001' });
        expectUntouched(subject);
      });
    }

    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.orders+json']) {
      it(`accepts Content-Type ${contentType}`, async () => {
        const subject = edge();

        const response = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'content-type': contentType }));

        expect(response.statusCode).to.equal(success);
      });
    }

    it('falls back to the API Gateway request id when x-correlation-id is absent or unusable', async () => {
      const subject = edge();

      const absent = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'x-correlation-id': undefined }));
      const unusable = await subject.call(send('{', { 'x-correlation-id': 'bad id with spaces' }));

      expect(absent.headers['x-correlation-id']).to.equal('JKJaXmPLvHcESHA=');
      expect(bodyOf(unusable).correlationId).to.equal('JKJaXmPLvHcESHA=');
    });

    it('answers 400 for a malformed Idempotency-Key header and touches nothing', async () => {
      const subject = edge();

      const response = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'idempotency-key': 'has spaces and / slashes' }));

      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response).violations.map((v) => [v.path, v.code])).to.deep.equal([['headers.idempotency-key', 'HEADER.INVALID']]);
      expectUntouched(subject);
    });

    it('lists header and body reasons together in one 400', async () => {
      // Prepare: a bad Idempotency-Key and an unknown field
      const subject = edge();
      const body = JSON.stringify({ ...sampleOrderBody(), discountCode: 'FREE' });

      // Act
      const response = await subject.call(send(body, { 'idempotency-key': 'bad key!' }));

      // Assess
      expect(response.statusCode).to.equal(400);
      expect(codes(response)).to.have.members(['HEADER.INVALID', 'BODY.UNKNOWN_FIELD']);
      expectUntouched(subject);
    });

    it('refuses the failure-simulation header where configuration disables it', async () => {
      const subject = edge({ env: { ALLOW_FAILURE_SIMULATION: 'false' } });

      const response = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'x-simulate-failure': 'transient:2' }));

      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response).violations.map((v) => [v.path, v.code])).to.deep.equal([
        ['headers.x-simulate-failure', 'SIMULATION.DISABLED'],
      ]);
      expectUntouched(subject);
    });

    it('refuses a malformed failure-simulation header where it is enabled', async () => {
      const subject = edge();

      const response = await subject.call(send(JSON.stringify(sampleOrderBody()), { 'x-simulate-failure': 'explode' }));

      expect(codes(response)).to.deep.equal(['SIMULATION.INVALID']);
      expectUntouched(subject);
    });
  });
}
