import { expect } from 'chai';
import type { PipelineFixtureOptions } from '../support/pipeline-fixture.js';
import { codes, edgeOf, expectUntouched, HANDLERS, requestTo, bodyOf } from './http-edge.fixtures.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

for (const { name, route, success, create } of HANDLERS) {
  describe(`Function: ${name} handler (API Gateway HTTP API, payload 2.0)`, () => {
    const edge = (options: PipelineFixtureOptions = {}) => edgeOf(create, options);
    const send = (body: string | null, headers: Record<string, string | undefined> = {}, isBase64Encoded = false) =>
      requestTo(route, body, headers, isBase64Encoded);

    it(`answers ${success} for the sample order, echoing the client's x-correlation-id`, async () => {
      // Prepare
      const subject = edge();

      // Act
      const response = await subject.call(httpEvent({ routeKey: route }));

      // Assess
      expect(response.statusCode).to.equal(success);
      expect(response.headers['x-correlation-id']).to.equal('corr-from-client-0001');
      expect(response.headers['content-type']).to.match(/^application\/json/);
      expect(JSON.parse(response.body)).to.deep.include({ correlationId: 'corr-from-client-0001' });
    });

    it('answers 400 BODY.MALFORMED_JSON for malformed JSON and touches nothing', async () => {
      const subject = edge();

      const response = await subject.call(send('{"orderId": "o-1",'));

      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response)).to.deep.include({ error: 'VALIDATION', correlationId: 'corr-from-client-0001' });
      expect(codes(response)).to.deep.equal(['BODY.MALFORMED_JSON']);
      expectUntouched(subject);
    });

    for (const empty of [null, '', '   \n']) {
      it(`answers 400 BODY.EMPTY for an empty body (${JSON.stringify(empty)})`, async () => {
        const subject = edge();

        const response = await subject.call(send(empty));

        expect(response.statusCode).to.equal(400);
        expect(codes(response)).to.deep.equal(['BODY.EMPTY']);
        expectUntouched(subject);
      });
    }

    for (const body of ['[]', '[{"orderId":"o-1"}]', '"an order"', '42', 'null', 'true']) {
      it(`answers 400 BODY.NOT_AN_OBJECT for the body ${body}`, async () => {
        const subject = edge();

        const response = await subject.call(send(body));

        expect(response.statusCode).to.equal(400);
        expect(codes(response)).to.deep.equal(['BODY.NOT_AN_OBJECT']);
        expectUntouched(subject);
      });
    }

    it('answers 400 listing every field of the wrong type, each with its path', async () => {
      // Prepare
      const subject = edge();
      const body = { orderId: 7, customerId: ['c'], currency: 978, lines: [{ sku: 1, quantity: '2', unitPriceMinor: 19.99 }] };

      // Act
      const response = await subject.call(send(JSON.stringify(body)));

      // Assess
      expect(response.statusCode).to.equal(400);
      const paths = new Set(bodyOf(response).violations.map((v) => v.path));
      expect([...paths]).to.have.members([
        'orderId',
        'customerId',
        'currency',
        'lines[0].sku',
        'lines[0].quantity',
        'lines[0].unitPriceMinor',
      ]);
      for (const violation of bodyOf(response).violations) expect(violation.message, violation.path).to.be.a('string').and.not.equal('');
      expectUntouched(subject);
    });

    it('answers 400 BODY.UNKNOWN_FIELD for each unknown field, nested ones included', async () => {
      // Prepare
      const subject = edge();
      const order = sampleOrderBody();
      const body = { ...order, discountCode: 'FREE', lines: [{ ...(order.lines as object[])[0], giftWrap: true }] };

      // Act
      const response = await subject.call(send(JSON.stringify(body)));

      // Assess
      expect(response.statusCode).to.equal(400);
      expect(
        bodyOf(response)
          .violations.filter((v) => v.code === 'BODY.UNKNOWN_FIELD')
          .map((v) => v.path),
      ).to.have.members(['discountCode', 'lines[0].giftWrap']);
      expectUntouched(subject);
    });

    it('answers 400 BODY.UNKNOWN_FIELD for fields named like Object.prototype members, at the top level and in lines', async () => {
      // Prepare: the names class-transformer drops without a word; as JSON.parse builds them, own keys
      const members = Object.getOwnPropertyNames(Object.prototype).filter((name) => !['__proto__', 'constructor'].includes(name));
      const order = sampleOrderBody();
      const line = Object.fromEntries([
        ...Object.entries((order.lines as Record<string, unknown>[])[0] ?? {}),
        ...members.map((name) => [name, 1] as const),
      ]);
      const body = Object.fromEntries([
        ...Object.entries(order),
        ...members.map((name) => [name, 'x'] as const),
        ['lines', [line]] as const,
      ]);
      const subject = edge();

      // Act
      const response = await subject.call(send(JSON.stringify(body)));

      // Assess
      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response).violations.map((v) => `${v.path} ${v.code}`)).to.have.members([
        ...members.map((name) => `${name} BODY.UNKNOWN_FIELD`),
        ...members.map((name) => `lines[0].${name} BODY.UNKNOWN_FIELD`),
      ]);
      expectUntouched(subject);
    });

    it("answers 400 for the issue's example (a toString field) and names a key of digits as a quoted key", async () => {
      const subject = edge();
      const example =
        '{"orderId":"o-1","customerId":"c-1","currency":"EUR","lines":[{"sku":"BOOK-1","quantity":2,"unitPriceMinor":1999}],"toString":1}';

      const responses = [await subject.call(send(example)), await subject.call(send(example.replace('"toString"', '"0"')))];

      expect(responses.map((response) => response.statusCode)).to.deep.equal([400, 400]);
      expect(responses.map((response) => bodyOf(response).violations.map((v) => [v.path, v.code]))).to.deep.equal([
        [['toString', 'BODY.UNKNOWN_FIELD']],
        [['"0"', 'BODY.UNKNOWN_FIELD']],
      ]);
      expectUntouched(subject);
    });

    it('answers 400 with a forbidden key beside every other violation', async () => {
      const subject = edge();

      const response = await subject.call(send('{"": {"sku": {"ü": {"constructor": "x"}}}}'));

      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response).violations.map((v) => `${v.path} ${v.code}`)).to.include.members([
        '"".sku."ü".constructor BODY.FORBIDDEN_KEY',
        '"" BODY.UNKNOWN_FIELD',
        'orderId SCHEMA.ISDEFINED',
      ]);
      expectUntouched(subject);
    });

    it('answers 400 BODY.FORBIDDEN_KEY for __proto__ and constructor keys, and pollutes nothing', async () => {
      // Prepare
      const subject = edge();
      const raw = JSON.stringify(sampleOrderBody()).replace(
        /^\{/,
        '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}},',
      );

      // Act
      const response = await subject.call(send(raw));

      // Assess
      expect(response.statusCode).to.equal(400);
      expect(bodyOf(response).violations.map((v) => [v.path, v.code])).to.deep.equal([
        ['__proto__', 'BODY.FORBIDDEN_KEY'],
        ['constructor', 'BODY.FORBIDDEN_KEY'],
      ]);
      expect(({} as Record<string, unknown>).isAdmin).to.equal(undefined);
      expectUntouched(subject);
    });
  });
}
