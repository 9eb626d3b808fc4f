import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api/index.js';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer/index.js';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration/index.js';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route/index.js';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage/index.js';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import type { ApiAuthorization } from '../stage-config.js';
import type { PipelineFunction } from './pipeline-function.js';

/** Every route reaches a function; the orchestrated edge is a function that starts the ingest workflow. */
export type RouteTarget = { readonly kind: 'function'; readonly fn: PipelineFunction };

export interface ApiRoute {
  /** e.g. `POST /orders` */
  readonly routeKey: string;
  readonly target: RouteTarget;
}

export interface OrdersHttpApiProps {
  readonly namePrefix: string;
  readonly routes: readonly ApiRoute[];
  readonly authorization: ApiAuthorization;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetentionDays: number;
  readonly accountId: string;
}

/** One JSON line per request; the request id is the correlation id the functions log. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

/**
 * The HTTP API: each route reaches a function's `live` alias (Lambda proxy, payload 2.0). Every route is
 * authorised (IAM or JWT, by stage), the default stage is throttled and writes access logs.
 */
export class OrdersHttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly routes: Readonly<Record<string, Apigatewayv2Route>>;
  readonly integrations: Readonly<Record<string, Apigatewayv2Integration>>;

  constructor(scope: Construct, id: string, props: OrdersHttpApiProps) {
    super(scope, id);
    this.api = new Apigatewayv2Api(this, 'api', { name: `${props.namePrefix}-api`, protocolType: 'HTTP' });
    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/vendedlogs/apigateway/${props.namePrefix}-api`,
      retentionInDays: props.logRetentionDays,
    });
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        detailedMetricsEnabled: true,
      },
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
    });
    const authorizer =
      props.authorization.type === 'jwt'
        ? new Apigatewayv2Authorizer(this, 'jwt', {
            apiId: this.api.id,
            name: `${props.namePrefix}-jwt`,
            authorizerType: 'JWT',
            identitySources: ['$request.header.Authorization'],
            jwtConfiguration: { issuer: props.authorization.issuer, audience: [...props.authorization.audience] },
          })
        : undefined;
    const routes: Record<string, Apigatewayv2Route> = {};
    const integrations: Record<string, Apigatewayv2Integration> = {};
    props.routes.forEach((route, index) => {
      const integration = this.integration(`route-${index}`, route);
      integrations[route.routeKey] = integration;
      routes[route.routeKey] = new Apigatewayv2Route(this, `route-${index}-route`, {
        apiId: this.api.id,
        routeKey: route.routeKey,
        target: `integrations/${integration.id}`,
        ...(authorizer === undefined ? { authorizationType: 'AWS_IAM' } : { authorizationType: 'JWT', authorizerId: authorizer.id }),
      });
    });
    this.routes = routes;
    this.integrations = integrations;
  }

  private integration(id: string, route: ApiRoute): Apigatewayv2Integration {
    const { fn } = route.target;
    const [method, path] = route.routeKey.split(' ');
    new LambdaPermission(this, `${id}-permission`, {
      action: 'lambda:InvokeFunction',
      functionName: fn.function.functionName,
      qualifier: fn.alias.name,
      principal: 'apigateway.amazonaws.com',
      // A path parameter's segment is a wildcard, as SAM writes it: the invoking ARN carries the request's path.
      sourceArn: `${this.api.executionArn}/*/${method}${(path ?? '').replace(/\{[^}/]+\}/g, '*')}`,
    });
    return new Apigatewayv2Integration(this, `${id}-integration`, {
      apiId: this.api.id,
      integrationType: 'AWS_PROXY',
      integrationUri: fn.alias.invokeArn,
      payloadFormatVersion: '2.0',
    });
  }
}
