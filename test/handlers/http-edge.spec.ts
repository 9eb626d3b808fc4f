import { expect } from 'chai';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import type { ClaimDecision, ClaimRequest, IdempotencyRecord } from '../../domain/idempotency.js';
import type { HttpResponse } from '../../handlers/http/response.js';
import { createIngestHandler } from '../../handlers/ingest.js';
import { createPublishHandler } from '../../handlers/publish.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { PipelineFixture, type PipelineFixtureOptions } from '../support/pipeline-fixture.js';
import { httpEvent, sampleOrderBody } from './lambda-events.js';

/** Counts every call, to prove a refused request reached nothing behind the edge. */
class CountingStore extends MemoryIdempotencyStore {
  calls = 0;
  override async claim(request: ClaimRequest): Promise<ClaimDecision> {
    this.calls += 1;
    return super.claim(request);
  }
  override async get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    this.calls += 1;
    return super.get(key, now);
  }
}

interface Edge {
  readonly fixture: PipelineFixture;
  readonly store: CountingStore;
  readonly call: (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;
}

type HandlerFactory = (fixture: PipelineFixture) => (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** Every HTTP function answers with an HttpResponse; the step-task overloads of validate and publish are not used here. */
const HANDLERS: ReadonlyArray<{
  readonly name: string;
  readonly route: string;
  readonly success: number;
  readonly create: HandlerFactory;
}> = [
  { name: 'ingest', route: 'POST /orders', success: 202, create: (f) => createIngestHandler(() => f.container) },
  {
    name: 'validate',
    route: 'POST /validate',
    success: 200,
    create: (f) => async (event) => (await createValidateHandler(() => f.container)(event)) as HttpResponse,
  },
  {
    name: 'publish',
    route: 'POST /publish',
    success: 202,
    create: (f) => async (event) => (await createPublishHandler(() => f.container)(event)) as HttpResponse,
  },
];

interface ErrorBody {
  readonly error: string;
  readonly correlationId: string;
  readonly violations: ReadonlyArray<{ readonly path: string; readonly code: string; readonly message: string }>;
}

function bodyOf(response: HttpResponse): ErrorBody {
  return JSON.parse(response.body) as ErrorBody;
}

function codes(response: HttpResponse): string[] {
  return bodyOf(response).violations.map((v) => v.code);
}

for (const { name, route, success, create } of HANDLERS) {
  describe(`Function: ${name} handler (API Gateway HTTP API, payload 2.0)`, () => {
    function edge(options: PipelineFixtureOptions = {}): Edge {
      const store = new CountingStore();
      const fixture = new PipelineFixture({ ...options, store });
      return { fixture, store, call: create(fixture) };
    }

    function send(body: string | null, headers: Record<string, string | undefined> = {}, isBase64Encoded = false): APIGatewayProxyEventV2 {
      return httpEvent({ body, headers, isBase64Encoded, routeKey: route });
    }

    /** "Nothing behind it is touched": no message, no event, no store call. */
    function expectUntouched({ fixture, store }: Edge): void {
      expect(fixture.orderQueue(), 'order queue').to.deep.equal([]);
      expect(fixture.events(), 'events').to.deep.equal([]);
      expect(store.calls, 'idempotency store calls').to.equal(0);
    }

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
