import { expect } from 'chai';
import { PIPELINE_FUNCTION_NAMES } from '../../application/workflows/pipeline-function.js';
import { openApiDocument } from '../../handlers/http/openapi.js';
import type { StageConfig, Topology } from '../../terraform/stage-config.js';
import { aliasId, stage, synthesize, type Synthesized } from './synthesized-stack.js';

type Props = Record<string, unknown>;

/** routeKey → what the route reaches: `fn:<name>` for a function alias, `workflow:<name>` for a state machine. */
function routeTargets(synthesized: Synthesized): Record<string, string> {
  const integrations = synthesized.resources('aws_apigatewayv2_integration');
  const aliases = Object.fromEntries(
    PIPELINE_FUNCTION_NAMES
      .filter((name) => Object.values(synthesized.resources('aws_lambda_function')).some((fn) => fn.function_name === `${synthesized.config.namePrefix}-${name}`))
      .map((name) => [synthesized.ref('aws_lambda_alias', aliasId(synthesized, name), 'invoke_arn'), `fn:${name}`]),
  );
  const machines = Object.fromEntries(
    Object.entries(synthesized.resources('aws_sfn_state_machine')).map(([id, machine]) => [synthesized.ref('aws_sfn_state_machine', id, 'arn'), `workflow:${String(machine.name)}`]),
  );
  const targets: Record<string, string> = {};
  for (const route of Object.values(synthesized.resources('aws_apigatewayv2_route'))) {
    const integrationId = /^integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}$/.exec(String(route.target))?.[1] ?? '';
    const integration = integrations[integrationId] as Props;
    const parameters = integration.request_parameters as Record<string, string> | undefined;
    targets[String(route.route_key)] =
      integration.integration_subtype === 'StepFunctions-StartSyncExecution'
        ? (machines[parameters?.StateMachineArn ?? ''] ?? 'unknown workflow')
        : (aliases[String(integration.integration_uri)] ?? 'unknown function');
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

    it('starts the ingest workflow for POST /orders when the stage is orchestrated', () => {
      expect(routeTargets(synthesize(withTopology('orchestrated')))).to.deep.equal({
        'POST /orders': 'workflow:orders-dev-ingest',
        'POST /validate': 'fn:validate',
        'POST /publish': 'fn:publish',
        'GET /orders/{idempotencyKey}': 'fn:status',
      });
    });

    it('keeps POST /orders composed and adds the workflow on POST /orchestrated/orders when both run', () => {
      expect(routeTargets(synthesize(withTopology('both')))).to.deep.equal({
        'POST /orders': 'fn:ingest',
        'POST /validate': 'fn:validate',
        'POST /publish': 'fn:publish',
        'GET /orders/{idempotencyKey}': 'fn:status',
        'POST /orchestrated/orders': 'workflow:orders-dev-ingest',
      });
    });

    for (const topology of ['composed', 'orchestrated', 'both'] as const) {
      it(`serves exactly the operations its OpenAPI description has, no more, no fewer (${topology})`, () => {
        const paths = openApiDocument(undefined, topology).paths as Record<string, Record<string, unknown>>;
        const described = Object.entries(paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));

        expect(Object.keys(routeTargets(synthesize(withTopology(topology))))).to.have.members(described);
      });
    }

    it('passes the request body as the workflow input and the request id as the execution name', () => {
      const integration = Object.values(synthesize(withTopology('orchestrated')).resources('aws_apigatewayv2_integration')).find(
        (candidate) => candidate.integration_subtype === 'StepFunctions-StartSyncExecution',
      );
      expect(integration?.request_parameters).to.deep.include({ Input: '$request.body', Name: '$context.requestId' });
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
      expect(authorizer).to.deep.include({ authorizer_type: 'JWT', jwt_configuration: { issuer: 'https://issuer.example.com/', audience: ['orders-api'] } });
      for (const route of Object.values(synthesized.resources('aws_apigatewayv2_route'))) {
        expect(route).to.deep.include({ authorization_type: 'JWT', authorizer_id: synthesized.ref('aws_apigatewayv2_authorizer', authorizerId ?? '', 'id') });
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
