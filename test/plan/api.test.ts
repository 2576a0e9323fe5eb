import { ROUTES, routeKey } from '../../contract/routes';
import { nameByPath, nameOfOnly, resourcesOf, synthesizeBoth, theOnly, type StackJson } from './plan';

describe('MediaStore HTTP API', () => {
  let plan: StackJson;
  const routes = () => resourcesOf(plan, 'aws_apigatewayv2_route').map(([, r]) => r);
  const authorizerRef = () => `\${aws_apigatewayv2_authorizer.${nameOfOnly(plan, 'aws_apigatewayv2_authorizer')}.id}`;

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  it('is an HTTP API', () => {
    expect(theOnly(plan, 'aws_apigatewayv2_api').protocol_type).toBe('HTTP');
  });

  it('creates exactly the routes of the route declaration', () => {
    expect(routes().map((r) => r.route_key).sort()).toEqual(ROUTES.map(routeKey).sort());
  });

  it('guards every route except login, refresh, logout, the sign-in options and provider sign-in, health, the public share routes and share pages with the authorizer', () => {
    for (const route of routes()) {
      const declared = ROUTES.find((r) => routeKey(r) === route.route_key)!;
      const open = ['POST /auth/login', 'POST /auth/refresh', 'POST /auth/logout', 'GET /auth/options', 'GET /auth/oidc/start', 'GET /auth/oidc/callback', 'POST /auth/oidc/device', 'POST /auth/oidc/device/token', 'GET /health', 'GET /s/{token}', 'GET /s/{token}/preview'];
      if (open.includes(route.route_key) || route.route_key.split(' ')[1].startsWith('/public/shares/{token}')) {
        expect(declared.auth).toBe(false);
        expect(route.authorization_type).toBe('NONE');
        expect(route.authorizer_id).toBeUndefined();
      } else {
        expect(declared.auth).toBe(true);
        expect(route.authorization_type).toBe('CUSTOM');
        expect(route.authorizer_id).toBe(authorizerRef());
      }
    }
  });

  it('sends each route to its own Lambda proxy integration of the declared function', () => {
    for (const declared of ROUTES) {
      const route = routes().find((r) => r.route_key === routeKey(declared))!;
      const integrationName = /integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}/.exec(route.target)![1];
      const integration = plan.resource.aws_apigatewayv2_integration[integrationName];
      expect(integration.integration_type).toBe('AWS_PROXY');
      expect(integration.payload_format_version).toBe('2.0');
      const fn = nameByPath(plan, 'aws_lambda_function', `functions/${declared.function}/function`);
      expect(integration.integration_uri).toBe(`\${aws_lambda_function.${fn}.invoke_arn}`);
    }
    expect(resourcesOf(plan, 'aws_apigatewayv2_integration')).toHaveLength(ROUTES.length);
  });

  it('uses a REQUEST authorizer with payload 2.0, simple responses and a configurable cache', () => {
    const authorizer = theOnly(plan, 'aws_apigatewayv2_authorizer');
    expect(authorizer.authorizer_type).toBe('REQUEST');
    expect(authorizer.authorizer_payload_format_version).toBe('2.0');
    expect(authorizer.enable_simple_responses).toBe(true);
    expect(authorizer.identity_sources).toEqual(['$request.header.Authorization']);
    expect(authorizer.authorizer_result_ttl_in_seconds).toBe('${var.authorizer_result_ttl_seconds}');
    const fn = nameByPath(plan, 'aws_lambda_function', 'functions/authorizer/function');
    expect(authorizer.authorizer_uri).toBe(`\${aws_lambda_function.${fn}.invoke_arn}`);
  });

  it('lets only this API invoke the functions, each permission scoped to its route or the authorizer', () => {
    const api = nameOfOnly(plan, 'aws_apigatewayv2_api');
    const apiPermissions = resourcesOf(plan, 'aws_lambda_permission')
      .map(([, p]) => p)
      .filter((p) => p.principal === 'apigateway.amazonaws.com');
    expect(apiPermissions).toHaveLength(ROUTES.length + 1);
    const sources = apiPermissions.map((p) => p.source_arn).sort();
    const execution = `\${aws_apigatewayv2_api.${api}.execution_arn}`;
    expect(sources).toEqual(
      [
        ...ROUTES.map((r) => `${execution}/*/${r.method}${r.path.replace(/\{[^}]+\}/g, '*')}`),
        `${execution}/authorizers/${authorizerRef()}`,
      ].sort(),
    );
  });

  it('throttles each public share route on its own, below the stage', () => {
    const stage = theOnly(plan, 'aws_apigatewayv2_stage');
    const publicRoutes = ROUTES.filter((r) => !r.auth && (r.path.startsWith('/public/') || r.path.startsWith('/s/'))).map(routeKey).sort();
    expect(publicRoutes.length).toBeGreaterThanOrEqual(8);
    const settings = stage.route_settings as { route_key: string; throttling_burst_limit: string; throttling_rate_limit: string }[];
    expect(settings.map((s) => s.route_key).sort()).toEqual(publicRoutes);
    for (const setting of settings) {
      expect(setting.throttling_burst_limit).toBe('${var.public_throttling_burst_limit}');
      expect(setting.throttling_rate_limit).toBe('${var.public_throttling_rate_limit}');
    }
    // The access log names the route template, never the path: a share token stays out of it.
    expect(stage.access_log_settings.format).not.toMatch(/\$context\.path|rawPath/);
  });

  it('deploys a $default stage automatically, throttled, with JSON access logs', () => {
    const stage = theOnly(plan, 'aws_apigatewayv2_stage');
    expect(stage.name).toBe('$default');
    expect(stage.auto_deploy).toBe(true);
    expect(stage.default_route_settings.throttling_burst_limit).toBe('${var.throttling_burst_limit}');
    expect(stage.default_route_settings.throttling_rate_limit).toBe('${var.throttling_rate_limit}');
    const format = JSON.parse(stage.access_log_settings.format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', routeKey: '$context.routeKey', status: '$context.status' });
    const logs = nameByPath(plan, 'aws_cloudwatch_log_group', 'api/access-logs');
    expect(stage.access_log_settings.destination_arn).toBe(`\${aws_cloudwatch_log_group.${logs}.arn}`);
    expect(plan.resource.aws_cloudwatch_log_group[logs].retention_in_days).toBe('${var.log_retention_days}');
  });

  it('answers CORS only for the configured origins', () => {
    const cors = theOnly(plan, 'aws_apigatewayv2_api').cors_configuration;
    expect(cors.allow_origins).toBe('${var.cors_allowed_origins}');
    expect(cors.allow_headers).toEqual(['authorization', 'content-type', 'x-share-session', 'x-share-guest']);
  });
});
