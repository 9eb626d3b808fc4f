import { expect } from 'chai';
import { getMetadataStorage } from 'class-validator';
import { OrderLineDto, OrderRequestDto } from '../../application/orders/order-request.dto.js';
import { openApiDocument } from '../../handlers/http/openapi.js';

type Schema = { required: string[]; properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };

/** What class-validator enforces on each property of a DTO, in the words of JSON Schema. */
function constraintsOf(target: new () => object): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(target, '', true, false)) {
    const into = (result[meta.propertyName] ??= {});
    const [first, second] = (meta.constraints ?? []) as unknown[];
    switch (meta.name) {
      case 'isString':
        into.type = 'string';
        break;
      case 'isInt':
        into.type = 'integer';
        break;
      case 'isArray':
        into.type = 'array';
        break;
      case 'isLength':
        into.minLength = first;
        into.maxLength = second;
        break;
      case 'matches':
        into.pattern = (first as RegExp).source;
        break;
      case 'min':
        into.minimum = first;
        break;
      case 'max':
        into.maximum = first;
        break;
      case 'arrayMinSize':
        into.minItems = first;
        break;
      case 'arrayMaxSize':
        into.maxItems = first;
        break;
      default:
        break;
    }
  }
  return result;
}

function schemaOf(name: string): Schema {
  const components = openApiDocument().components as { schemas: Record<string, Schema> };
  const schema = components.schemas[name];
  if (schema === undefined) throw new Error(`no schema ${name}`);
  return schema;
}

describe('Module: openapi (the HTTP API description)', () => {
  for (const [name, dto] of [
    ['OrderRequest', OrderRequestDto],
    ['OrderLine', OrderLineDto],
  ] as const) {
    it(`describes ${name} exactly as the request DTO validates it: same properties, all required, same types and limits, nothing else accepted`, () => {
      const schema = schemaOf(name);
      const enforced = constraintsOf(dto);

      expect(Object.keys(schema.properties).sort()).to.deep.equal(Object.keys(enforced).sort());
      expect([...schema.required].sort()).to.deep.equal(Object.keys(enforced).sort());
      expect(schema.additionalProperties, 'forbidNonWhitelisted refuses unknown properties').to.equal(false);
      for (const [property, constraints] of Object.entries(enforced)) {
        expect(schema.properties[property], property).to.deep.include(constraints);
      }
    });
  }

  it('describes every route the HTTP API serves, each status with a body schema, Retry-After on 409 and 503, and a link from POST /orders to GET by key', () => {
    const document = openApiDocument() as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: unknown; headers?: Record<string, unknown>; links?: unknown }> }>
      >;
    };

    expect(document.openapi).to.equal('3.1.0');
    expect(Object.keys(document.paths).sort()).to.deep.equal(['/orders', '/orders/{idempotencyKey}', '/publish', '/validate']);
    const postOrders = document.paths['/orders']?.post?.responses ?? {};
    expect(Object.keys(postOrders).sort()).to.deep.equal(['200', '202', '400', '409', '415', '422', '503']);
    for (const [status, response] of Object.entries(postOrders)) expect(response.content, status).to.not.equal(undefined);
    expect(postOrders['409']?.headers).to.have.property('retry-after');
    expect(postOrders['503']?.headers).to.have.property('retry-after');
    expect(postOrders['202']?.links).to.have.nested.property('GetOrderByKey.operationId', 'getOrder');
  });
});
