import { Construct } from 'constructs';
import { Apigatewayv2Api } from '@cdktf/provider-aws/lib/apigatewayv2-api';
import { Apigatewayv2Authorizer } from '@cdktf/provider-aws/lib/apigatewayv2-authorizer';
import { Apigatewayv2Integration } from '@cdktf/provider-aws/lib/apigatewayv2-integration';
import { Apigatewayv2Route } from '@cdktf/provider-aws/lib/apigatewayv2-route';
import { Apigatewayv2Stage } from '@cdktf/provider-aws/lib/apigatewayv2-stage';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import { ROUTES, routeKey, type RouteDeclaration } from '../../contract/routes';
import { SHARE_PAGE_PREFIX } from '../../contract/site';
import type { ApiFunctionName } from '../../contract/functions';
import { addressOf } from './addresses';
import { ACCESS_LOG_FORMAT, API_CORS, DEFAULTS } from './defaults';
import type { MediaStoreFunction } from './function';

export interface ApiProps {
  /** API name, also the access log group's suffix. */
  readonly name: string;
  /** Verifies the JWT of every route declared with `auth: true`. */
  readonly authorizer: MediaStoreFunction;
  /** The function serving each API route. */
  readonly handlers: Readonly<Record<ApiFunctionName, MediaStoreFunction>>;
  /** Routes to create. @default ROUTES of contract/routes.ts */
  readonly routes?: readonly RouteDeclaration[];
  /** Origins allowed to call the API from a browser; empty allows none. @default [] */
  readonly corsAllowedOrigins?: string[];
  /** Seconds API Gateway caches an authorizer decision per token; 0 disables; at most 60. @default 60 */
  readonly authorizerResultTtlSeconds?: number;
  /** Stage burst limit, requests. @default 100 */
  readonly throttlingBurstLimit?: number;
  /** Stage steady-state limit, requests per second. @default 50 */
  readonly throttlingRateLimit?: number;
  /** Burst limit of each public share route (`/public/…`, no login), requests. @default 20 */
  readonly publicThrottlingBurstLimit?: number;
  /** Steady-state limit of each public share route, requests per second. @default 10 */
  readonly publicThrottlingRateLimit?: number;
  /** Retention of the access log group, days. @default 30 */
  readonly logRetentionDays?: number;
}

/**
 * The HTTP API: one route and integration per declared route, the Lambda REQUEST authorizer
 * on every route that asks for it, and a `$default` stage with throttling and JSON access logs.
 */
export class Api extends Construct {
  readonly api: Apigatewayv2Api;
  readonly authorizer: Apigatewayv2Authorizer;
  readonly stage: Apigatewayv2Stage;
  readonly routes: Readonly<Record<string, Apigatewayv2Route>>;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.api = new Apigatewayv2Api(this, 'api', {
      name: props.name,
      protocolType: 'HTTP',
      description: 'media-store HTTP API',
      corsConfiguration: {
        allowOrigins: props.corsAllowedOrigins ?? DEFAULTS.corsAllowedOrigins,
        allowMethods: [...API_CORS.allowMethods],
        allowHeaders: [...API_CORS.allowHeaders],
        maxAge: API_CORS.maxAgeSeconds,
      },
    });
    this.api.overrideLogicalId('api');

    this.authorizer = new Apigatewayv2Authorizer(this, 'jwt-authorizer', {
      apiId: this.api.id,
      name: 'jwt',
      authorizerType: 'REQUEST',
      authorizerUri: props.authorizer.function.invokeArn,
      authorizerPayloadFormatVersion: '2.0',
      enableSimpleResponses: true,
      identitySources: ['$request.header.Authorization'],
      authorizerResultTtlInSeconds: props.authorizerResultTtlSeconds ?? DEFAULTS.authorizerResultTtlSeconds,
    });
    this.authorizer.overrideLogicalId('jwt');
    new LambdaPermission(this, 'allow-authorizer-invoke', {
      statementId: 'AllowApiGatewayAuthorizer',
      action: 'lambda:InvokeFunction',
      functionName: props.authorizer.function.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: `${this.api.executionArn}/authorizers/${this.authorizer.id}`,
    }).overrideLogicalId('authorizer');

    const routes: Record<string, Apigatewayv2Route> = {};
    for (const route of props.routes ?? ROUTES) {
      const key = routeKey(route);
      const handler = props.handlers[route.function];
      const id = constructIdOf(route);
      const integration = new Apigatewayv2Integration(this, `${id}-integration`, {
        apiId: this.api.id,
        integrationType: 'AWS_PROXY',
        integrationUri: handler.function.invokeArn,
        payloadFormatVersion: '2.0',
        description: route.summary,
      });
      integration.overrideLogicalId(addressOf(id));
      routes[key] = new Apigatewayv2Route(this, `${id}-route`, {
        apiId: this.api.id,
        routeKey: key,
        target: `integrations/${integration.id}`,
        ...(route.auth ? { authorizationType: 'CUSTOM', authorizerId: this.authorizer.id } : { authorizationType: 'NONE' }),
      });
      routes[key].overrideLogicalId(addressOf(id));
      // Scoped to this API, this method and this path: no other API can invoke the function.
      new LambdaPermission(this, `${id}-permission`, {
        statementId: `AllowApiGateway-${id}`,
        action: 'lambda:InvokeFunction',
        functionName: handler.function.functionName,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${this.api.executionArn}/*/${route.method}${route.path.replace(/\{[^}]+\}/g, '*')}`,
      }).overrideLogicalId(addressOf(id));
    }
    this.routes = routes;

    const accessLogs = new CloudwatchLogGroup(this, 'access-logs', {
      name: `/aws/apigateway/${props.name}`,
      retentionInDays: props.logRetentionDays ?? DEFAULTS.logRetentionDays,
    });
    accessLogs.overrideLogicalId('api_access');
    this.stage = new Apigatewayv2Stage(this, 'stage', {
      apiId: this.api.id,
      name: '$default',
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingBurstLimit: props.throttlingBurstLimit ?? DEFAULTS.throttlingBurstLimit,
        throttlingRateLimit: props.throttlingRateLimit ?? DEFAULTS.throttlingRateLimit,
        detailedMetricsEnabled: true,
      },
      // The public share routes, reached without login, get limits of their own below the stage's.
      routeSettings: (props.routes ?? ROUTES).filter(isPublicShareRoute).map((route) => ({
        routeKey: routeKey(route),
        throttlingBurstLimit: props.publicThrottlingBurstLimit ?? DEFAULTS.publicThrottlingBurstLimit,
        throttlingRateLimit: props.publicThrottlingRateLimit ?? DEFAULTS.publicThrottlingRateLimit,
        detailedMetricsEnabled: true,
      })),
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      // Route settings name routes that must exist first.
      dependsOn: Object.values(routes),
    });
    this.stage.overrideLogicalId('default');
  }

  /** Base URL of the API (the `$default` stage). */
  get url(): string {
    return this.stage.invokeUrl;
  }
}

/** Routes of the share links, open to anyone holding a token: the public share API and share pages. */
function isPublicShareRoute(route: RouteDeclaration): boolean {
  return !route.auth && (route.path.startsWith('/public/') || route.path.startsWith(SHARE_PAGE_PREFIX));
}

/** `POST /auth/login` → `post-auth-login`. */
function constructIdOf(route: RouteDeclaration): string {
  return `${route.method}${route.path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');
}
