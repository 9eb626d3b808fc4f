import { expect } from 'chai';
import { PIPELINE_FUNCTION_NAMES } from '../../application/workflows/pipeline-function.js';
import { openApiDocument } from '../../handlers/http/openapi.js';
import type { StageConfig, Topology } from '../../terraform/stage-config.js';
import { aliasId, functionId, stage, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

/** routeKey → what the route reaches: `fn:<name>` for a function alias, or what else the integration is. */
function routeTargets(synthesized: Synthesized): Record<string, string> {
  const integrations = synthesized.resources('aws_apigatewayv2_integration');
  const aliases = Object.fromEntries(
    PIPELINE_FUNCTION_NAMES.filter((name) =>
      Object.values(synthesized.resources('aws_lambda_function')).some(
        (fn) => fn.function_name === `${synthesized.config.namePrefix}-${name}`,
      ),
    ).map((name) => [synthesized.ref('aws_lambda_alias', aliasId(synthesized, name), 'invoke_arn'), `fn:${name}`]),
  );
  const targets: Record<string, string> = {};
  for (const route of Object.values(synthesized.resources('aws_apigatewayv2_route'))) {
    const integrationId = /^integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}$/.exec(String(route.target))?.[1] ?? '';
    const integration = integrations[integrationId] as Props;
    targets[String(route.route_key)] =
      integration.integration_subtype === undefined
        ? (aliases[String(integration.integration_uri)] ?? 'unknown function')
        : `integration:${integration.integration_subtype as string}`;
  }
  return targets;
}

function withTopology(topology: Topology, changes: Partial<StageConfig> = {}): StageConfig {
  return { ...stage('dev'), topology, ...changes };
}

describe('Stack: HTTP API', () => {
  describe('Method: routes', () => {
    it('sends POST /orders to the composed ingest, /validate and /publish to their functions (composed)', () => {
      expect(routeTargets(synthesize(withTopology('composed')))).to.deep.equal({
        'POST /orders': 'fn:ingest',
        'POST /validate': 'fn:validate',
        'POST /publish': 'fn:publish',
        'GET /orders/{idempotencyKey}': 'fn:status',
      });
    });

    it('sends POST /orders to the orchestrated edge function when the stage is orchestrated', () => {
      expect(routeTargets(synthesize(withTopology('orchestrated')))).to.deep.equal({
        'POST /orders': 'fn:orchestrated-ingest',
        'POST /validate': 'fn:validate',
        'POST /publish': 'fn:publish',
        'GET /orders/{idempotencyKey}': 'fn:status',
      });
    });

    it('keeps POST /orders composed and sends POST /orchestrated/orders to the orchestrated edge when both run', () => {
      expect(routeTargets(synthesize(withTopology('both')))).to.deep.equal({
        'POST /orders': 'fn:ingest',
        'POST /validate': 'fn:validate',
        'POST /publish': 'fn:publish',
        'GET /orders/{idempotencyKey}': 'fn:status',
        'POST /orchestrated/orders': 'fn:orchestrated-ingest',
      });
    });

    for (const topology of ['composed', 'orchestrated', 'both'] as const) {
      it(`serves exactly the operations its OpenAPI description has, no more, no fewer (${topology})`, () => {
        const paths = openApiDocument(undefined, topology).paths as Record<string, Record<string, unknown>>;
        const described = Object.entries(paths).flatMap(([path, operations]) =>
          Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
        );

        expect(Object.keys(routeTargets(synthesize(withTopology(topology))))).to.have.members(described);
      });

      it(`integrates every route as a Lambda proxy with payload 2.0 and no credentials of its own (${topology})`, () => {
        const integrations = Object.values(synthesize(withTopology(topology)).resources('aws_apigatewayv2_integration'));
        for (const integration of integrations) {
          expect(integration).to.deep.include({ integration_type: 'AWS_PROXY', payload_format_version: '2.0' });
          expect(integration.integration_subtype).to.equal(undefined);
          expect(integration.credentials_arn).to.equal(undefined);
        }
      });
    }

    it('lets API Gateway invoke the orchestrated edge only from its routes', () => {
      const synthesized = synthesize(withTopology('both'));
      const edge = synthesized.ref('aws_lambda_function', functionId(synthesized, 'orchestrated-ingest'), 'function_name');
      const permissions = Object.values(synthesized.resources('aws_lambda_permission')).filter(
        (permission) => permission.function_name === edge,
      );
      expect(permissions.map((permission) => String(permission.source_arn).replace(/^\$\{[^}]+\}/, ''))).to.deep.equal([
        '/*/POST/orchestrated/orders',
      ]);
    });

    it('lets API Gateway invoke each routed alias only from its own route', () => {
      const synthesized = synthesize(withTopology('composed'));
      const permissions = Object.values(synthesized.resources('aws_lambda_permission'));
      expect(permissions.map((permission) => String(permission.source_arn).replace(/^\$\{[^}]+\}/, ''))).to.have.members([
        '/*/POST/orders',
        '/*/POST/validate',
        '/*/POST/publish',
        '/*/GET/orders/*',
      ]);
      for (const permission of permissions) {
        expect(permission.principal).to.equal('apigateway.amazonaws.com');
        expect(permission.qualifier).to.match(/^\$\{aws_lambda_alias\.[^.]+\.name\}$/);
      }
    });
  });

  describe('Method: authorization', () => {
    it('requires IAM signatures on every route when the stage says iam', () => {
      const routes = Object.values(synthesize(withTopology('both')).resources('aws_apigatewayv2_route'));
      expect(routes.map((route) => route.authorization_type)).to.deep.equal(routes.map(() => 'AWS_IAM'));
    });

    it('validates JWTs from the configured issuer and audience when the stage says jwt', () => {
      const config = withTopology('composed', {
        api: { ...stage('dev').api, authorization: { type: 'jwt', issuer: 'https://issuer.example.com/', audience: ['orders-api'] } },
      });
      const synthesized = synthesize(config);
      const [authorizerId, authorizer] = Object.entries(synthesized.resources('aws_apigatewayv2_authorizer'))[0] ?? [];
      expect(authorizer).to.deep.include({
        authorizer_type: 'JWT',
        jwt_configuration: { issuer: 'https://issuer.example.com/', audience: ['orders-api'] },
      });
      for (const route of Object.values(synthesized.resources('aws_apigatewayv2_route'))) {
        expect(route).to.deep.include({
          authorization_type: 'JWT',
          authorizer_id: synthesized.ref('aws_apigatewayv2_authorizer', authorizerId ?? '', 'id'),
        });
      }
    });
  });

  describe('Method: stage', () => {
    for (const synthesized of [synthesize(stage('dev')), synthesize(stage('prod'))]) {
      it(`throttles and writes JSON access logs (${synthesized.config.stage})`, () => {
        const [apiStage] = Object.values(synthesized.resources('aws_apigatewayv2_stage'));
        expect(apiStage?.default_route_settings).to.deep.include({
          throttling_rate_limit: synthesized.config.api.throttlingRateLimit,
          throttling_burst_limit: synthesized.config.api.throttlingBurstLimit,
        });
        const access = apiStage?.access_log_settings as { destination_arn: string; format: string };
        expect(access.destination_arn).to.match(/^\$\{aws_cloudwatch_log_group\.http_access-logs_[A-F0-9]+\.arn\}$/);
        expect(JSON.parse(access.format)).to.include({ requestId: '$context.requestId', status: '$context.status' });
      });
    }
  });
});
