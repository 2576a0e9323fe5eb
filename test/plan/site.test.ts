import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLOUDFRONT_MANAGED_POLICIES } from '../../modules/media-store/defaults';
import { placeholderBundleRoot, placeholderWebRoot, PLACEHOLDER_WEB_FILES, synthesizeApp } from '../../modules/stacks/synthesize';
import { DEFAULT_REGION } from '../../modules/stacks/config';
import { VIEWER_HOST_HEADER } from '../../contract/site';
import { policyDocuments, resourcesOf, synthesizeBoth, synthesizeConstruct, theOnly, type StackJson } from './plan';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b4e6a2c-1111-2222-3333-444455556666';
const SITE_TYPES = [
  'aws_s3_object',
  'aws_cloudfront_distribution',
  'aws_cloudfront_origin_access_control',
  'aws_cloudfront_cache_policy',
  'aws_cloudfront_function',
  'aws_cloudfront_response_headers_policy',
  'aws_cloudfront_key_value_store',
];

/** Resources of the site (all at `site…` addresses): the bucket also holds the process function's bundle object. */
const siteResourcesOf = (stack: StackJson, type: string): [string, StackJson][] => resourcesOf(stack, type).filter(([name]) => name.startsWith('site'));

type Request = { uri: string; querystring?: Record<string, unknown> };
/** Runs a CloudFront Function's code (cloudfront-js-2.0 is ECMAScript 5.1 plus a few ES6 parts) on a viewer request. */
function runViewerRequest(code: string, uri: string): Request {
  const handler = new Function(`${code}\nreturn handler;`)() as (event: { request: Request }) => Request;
  return handler({ request: { uri, querystring: { folder: { value: '/trip' } } } });
}

type ApiRequest = Request & { headers: Record<string, { value: string }> };
/**
 * Runs the API-prefix function (async, reading a key value store through the `cloudfront`
 * module) on a viewer request, with `store` standing in for the key value store it names.
 */
async function runApiViewerRequest(code: string, uri: string, headers: ApiRequest['headers'], store: Record<string, string>): Promise<{ request: ApiRequest; storeIds: string[] }> {
  const storeIds: string[] = [];
  const cf = {
    kvs: (id: string) => {
      storeIds.push(id);
      return { get: async (key: string) => (key in store ? store[key] : Promise.reject(new Error(`The key ${key} does not exist.`))) };
    },
  };
  const body = code.replace("import cf from 'cloudfront';", '');
  const handler = new Function('cf', `${body}\nreturn handler;`)(cf) as (event: { request: ApiRequest }) => Promise<ApiRequest>;
  const request = await handler({ request: { uri, querystring: { folder: { value: '/trip' } }, headers } });
  return { request, storeIds };
}

const distributionOf = (stack: StackJson) => stack.resource.aws_cloudfront_distribution.site;
const apiBehaviorOf = (stack: StackJson) =>
  (distributionOf(stack).ordered_cache_behavior as StackJson[]).find((b) => b.path_pattern === '/api/*')!;
const sharePagesBehaviorOf = (stack: StackJson) =>
  (distributionOf(stack).ordered_cache_behavior as StackJson[]).find((b) => b.path_pattern === '/s/*')!;
const assetsBehaviorOf = (stack: StackJson) =>
  (distributionOf(stack).ordered_cache_behavior as StackJson[]).find((b) => b.path_pattern === '/assets/*')!;
const securityHeadersOf = (stack: StackJson) => stack.resource.aws_cloudfront_response_headers_policy.site.security_headers_config;
const cspOf = (stack: StackJson) => securityHeadersOf(stack).content_security_policy.content_security_policy as string;
const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.split(' ')[0] === name);
const mediaBucketOf = (stack: StackJson) => resourcesOf(stack, 'aws_s3_bucket').find(([name]) => name !== 'site')![0];

describe('MediaStore site', () => {
  let site: StackJson;
  let moduleStack: StackJson;
  beforeAll(() => {
    site = synthesizeConstruct({ corsAllowedOrigins: ['https://admin.example.com'] });
    moduleStack = synthesizeBoth().module;
  });

  describe('site bucket', () => {
    it('blocks every kind of public access', () => {
      expect(site.resource.aws_s3_bucket_public_access_block.site).toMatchObject({
        bucket: '${aws_s3_bucket.site.id}',
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      });
    });

    it('disables ACLs (bucket owner enforced)', () => {
      expect(site.resource.aws_s3_bucket_ownership_controls.site.rule.object_ownership).toBe('BucketOwnerEnforced');
    });

    it('encrypts objects with SSE-S3, so ETags stay the MD5 the objects declare', () => {
      const rule = site.resource.aws_s3_bucket_server_side_encryption_configuration.site.rule[0];
      expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe('AES256');
    });

    it('lets only this distribution read, through AWS:SourceArn, and refuses non-TLS and TLS < 1.2', () => {
      const statements = policyDocuments(site).site_bucket;
      const allows = statements.filter((s) => s.effect === 'Allow');
      expect(allows).toEqual([
        {
          sid: 'AllowThisDistributionToRead',
          effect: 'Allow',
          principals: [{ type: 'Service', identifiers: ['cloudfront.amazonaws.com'] }],
          actions: ['s3:GetObject'],
          resources: ['${aws_s3_bucket.site.arn}/*'],
          condition: [{ test: 'StringEquals', variable: 'AWS:SourceArn', values: ['${aws_cloudfront_distribution.site.arn}'] }],
        },
      ]);
      const denies = statements.filter((s) => s.effect === 'Deny');
      expect(denies.map((s) => s.condition![0].variable).sort()).toEqual(['aws:SecureTransport', 's3:TlsVersion']);
      expect(site.resource.aws_s3_bucket_policy.site.policy).toBe('${data.aws_iam_policy_document.site_bucket.json}');
    });

    it('reaches the bucket only through Origin Access Control (SigV4 on every request)', () => {
      expect(site.resource.aws_cloudfront_origin_access_control.site).toMatchObject({
        origin_access_control_origin_type: 's3',
        signing_behavior: 'always',
        signing_protocol: 'sigv4',
      });
      const origin = (distributionOf(site).origin as StackJson[]).find((o) => o.origin_id === 'site-bucket')!;
      expect(origin.domain_name).toBe('${aws_s3_bucket.site.bucket_regional_domain_name}');
      expect(origin.origin_access_control_id).toBe('${aws_cloudfront_origin_access_control.site.id}');
      expect(origin.s3_origin_config).toBeUndefined();
    });

    it('never makes the media bucket an origin of the site', () => {
      const domains = (distributionOf(site).origin as StackJson[]).map((o) => o.domain_name as string);
      expect(domains.join(' ')).not.toContain(mediaBucketOf(site));
    });
  });

  describe('security headers', () => {
    it('sends a CSP whose scripts come only from the site: no unsafe-inline, no unsafe-eval (WebAssembly only: the upload hashing)', () => {
      const csp = cspOf(site);
      expect(directive(csp, 'script-src')).toBe("script-src 'self' 'wasm-unsafe-eval'");
      expect(directive(csp, 'default-src')).toBe("default-src 'self'");
      expect(csp.replace(" 'wasm-unsafe-eval'", '')).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    });

    it('forbids framing, plugins and <base> changes in the CSP', () => {
      const csp = cspOf(site);
      expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'");
      expect(directive(csp, 'object-src')).toBe("object-src 'none'");
      expect(directive(csp, 'base-uri')).toBe("base-uri 'self'");
    });

    it('admits presigned media URLs (thumbnails, video, part uploads) from the media bucket endpoint only', () => {
      const csp = cspOf(site);
      const media = `https://\${aws_s3_bucket.${mediaBucketOf(site)}.bucket_regional_domain_name}`;
      expect(directive(csp, 'img-src')).toBe(`img-src 'self' blob: data: ${media}`);
      expect(directive(csp, 'media-src')).toBe(`media-src 'self' blob: ${media}`);
      expect(directive(csp, 'connect-src')).toBe(`connect-src 'self' ${media}`);
    });

    it('admits the path-style endpoint presigned URLs use for a bucket name with dots', () => {
      const dotted = synthesizeConstruct({ bucketName: 'media.example.com' });
      const csp = cspOf(dotted);
      expect(directive(csp, 'connect-src')).toMatch(/^connect-src 'self' https:\/\/\$\{strcontains\(.+, "\."\) \? trimprefix\(.+bucket_regional_domain_name, .+\) : .+\}$/);
    });

    it('has pages preconnect to the media bucket endpoint their presigned thumbnails come from', () => {
      const items = site.resource.aws_cloudfront_response_headers_policy.site.custom_headers_config.items as StackJson[];
      const media = `https://\${aws_s3_bucket.${mediaBucketOf(site)}.bucket_regional_domain_name}`;
      expect(items.find((h) => h.header === 'Link')).toEqual({ header: 'Link', value: `<${media}>; rel=preconnect`, override: true });
    });

    it('sends HSTS for two years, subdomains included, overriding the origin', () => {
      expect(securityHeadersOf(site).strict_transport_security).toEqual({
        access_control_max_age_sec: 63072000,
        include_subdomains: true,
        preload: false,
        override: true,
      });
    });

    it('sends nosniff', () => {
      expect(securityHeadersOf(site).content_type_options).toEqual({ override: true });
    });

    it('denies framing with X-Frame-Options too', () => {
      expect(securityHeadersOf(site).frame_options).toEqual({ frame_option: 'DENY', override: true });
    });

    it('sends a referrer policy that never leaks paths to other origins', () => {
      expect(securityHeadersOf(site).referrer_policy).toEqual({ referrer_policy: 'strict-origin-when-cross-origin', override: true });
    });

    it('puts the headers on every behavior, the API included', () => {
      const distribution = distributionOf(site);
      const behaviors = [distribution.default_cache_behavior, ...distribution.ordered_cache_behavior] as StackJson[];
      expect(behaviors).toHaveLength(4);
      for (const b of behaviors) expect(b.response_headers_policy_id).toBe('${aws_cloudfront_response_headers_policy.site.id}');
    });
  });

  describe('caching', () => {
    it('caches /assets/* (content-hashed) for a year at the edge, compressed, keyed on nothing else', () => {
      const behavior = assetsBehaviorOf(site);
      expect(behavior.target_origin_id).toBe('site-bucket');
      expect(behavior.cache_policy_id).toBe('${aws_cloudfront_cache_policy.site_assets.id}');
      const policy = site.resource.aws_cloudfront_cache_policy.site_assets;
      expect(policy.default_ttl).toBe(31536000);
      expect(policy.max_ttl).toBe(31536000);
      const key = policy.parameters_in_cache_key_and_forwarded_to_origin;
      expect(key).toMatchObject({ enable_accept_encoding_gzip: true, enable_accept_encoding_brotli: true });
      expect([key.cookies_config.cookie_behavior, key.headers_config.header_behavior, key.query_strings_config.query_string_behavior]).toEqual(['none', 'none', 'none']);
    });

    it('keeps index.html and other unhashed files fresh: no edge TTL of their own, revalidated by no-cache', () => {
      const behavior = distributionOf(site).default_cache_behavior;
      expect(behavior.cache_policy_id).toBe('${aws_cloudfront_cache_policy.site_pages.id}');
      const policy = site.resource.aws_cloudfront_cache_policy.site_pages;
      expect([policy.min_ttl, policy.default_ttl]).toEqual([0, 0]);
      const index = siteResourcesOf(site, 'aws_s3_object').map(([, o]) => o).find((o) => o.key === 'index.html')!;
      expect(index.cache_control).toBe('no-cache');
    });

    it('redirects plain HTTP to HTTPS for the app and serves index.html at /', () => {
      const distribution = distributionOf(site);
      expect(distribution.default_root_object).toBe('index.html');
      expect(distribution.default_cache_behavior.viewer_protocol_policy).toBe('redirect-to-https');
      expect(assetsBehaviorOf(site).viewer_protocol_policy).toBe('redirect-to-https');
    });
  });

  describe('SPA fallback', () => {
    const routingCode = () => site.resource.aws_cloudfront_function.site_routes.code as string;

    it('answers app routes with /index.html on the default behavior, before S3 is asked', () => {
      const association = distributionOf(site).default_cache_behavior.function_association;
      expect(association).toEqual([{ event_type: 'viewer-request', function_arn: '${aws_cloudfront_function.site_routes.arn}' }]);
      expect(site.resource.aws_cloudfront_function.site_routes.runtime).toBe('cloudfront-js-2.0');
      for (const route of ['/', '/folders/trip', '/files/2b7c/view', '/login']) {
        expect(runViewerRequest(routingCode(), route).uri).toBe('/index.html');
      }
    });

    it('serves the files of the build as they are', () => {
      expect(runViewerRequest(routingCode(), '/favicon.svg').uri).toBe('/favicon.svg');
      expect(runViewerRequest(routingCode(), '/index.html').uri).toBe('/index.html');
    });

    it('uses no custom error responses, which would turn the API\'s own 403/404 into index.html', () => {
      expect(distributionOf(site).custom_error_response).toBeUndefined();
      expect(apiBehaviorOf(site).function_association[0].function_arn).not.toContain('site_routes');
    });
  });

  describe('/api on the same origin', () => {
    it('sends /api/* to the API Gateway endpoint over TLS 1.2', () => {
      const behavior = apiBehaviorOf(site);
      expect(behavior.target_origin_id).toBe('api');
      const origin = (distributionOf(site).origin as StackJson[]).find((o) => o.origin_id === 'api')!;
      expect(origin.domain_name).toMatch(/^\$\{trimprefix\(aws_apigatewayv2_api\..+\.api_endpoint, "https:\/\/"\)\}$/);
      expect(origin.custom_origin_config).toMatchObject({ origin_protocol_policy: 'https-only', origin_ssl_protocols: ['TLSv1.2'], https_port: 443 });
    });

    it('caches nothing (managed CachingDisabled)', () => {
      expect(apiBehaviorOf(site).cache_policy_id).toBe(CLOUDFRONT_MANAGED_POLICIES.cachingDisabled);
      expect(apiBehaviorOf(site).cache_policy_id).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    });

    it('forwards Authorization, cookies and query strings but not Host (managed AllViewerExceptHostHeader)', () => {
      expect(apiBehaviorOf(site).origin_request_policy_id).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    });

    it('allows every method the routes use and refuses plain HTTP (a redirect would drop a body)', () => {
      const behavior = apiBehaviorOf(site);
      expect([...behavior.allowed_methods].sort()).toEqual(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']);
      expect(behavior.viewer_protocol_policy).toBe('https-only');
    });

    it('strips the /api prefix on viewer request, so the API sees its declared routes', async () => {
      const behavior = apiBehaviorOf(site);
      expect(behavior.function_association).toEqual([
        { event_type: 'viewer-request', function_arn: '${aws_cloudfront_function.site_api_prefix.arn}' },
      ]);
      const code = site.resource.aws_cloudfront_function.site_api_prefix.code as string;
      const run = async (uri: string) => (await runApiViewerRequest(code, uri, {}, {})).request;
      expect((await run('/api/files')).uri).toBe('/files');
      expect((await run('/api/files/2b7c/download')).uri).toBe('/files/2b7c/download');
      expect((await run('/api/')).uri).toBe('/');
      expect((await run('/api/files')).querystring).toEqual({ folder: { value: '/trip' } });
    });

    it('adds the origin secret from its own key value store to every API request, replacing one the viewer sent', async () => {
      const fn = site.resource.aws_cloudfront_function.site_api_prefix;
      expect(fn.key_value_store_associations).toEqual(['${aws_cloudfront_key_value_store.site_origin.arn}']);
      const code = fn.code as string;
      const { request, storeIds } = await runApiViewerRequest(code, '/api/auth/login', { 'x-media-store-origin-verify': { value: 'forged' } }, { 'origin-verify': 's3cr3t' });
      expect(request.headers['x-media-store-origin-verify']).toEqual({ value: 's3cr3t' });
      // The store it reads is the one associated: its id is the last part of the ARN.
      expect(storeIds).toEqual(['${element(split("/", aws_cloudfront_key_value_store.site_origin.arn), 1)}']);
    });

    it('sends no origin secret (so the API keeps the edge address) while the store holds none, and drops a forged one', async () => {
      const code = site.resource.aws_cloudfront_function.site_api_prefix.code as string;
      const { request } = await runApiViewerRequest(code, '/api/auth/login', { 'x-media-store-origin-verify': { value: 'forged' } }, {});
      expect(request.headers).toEqual({});
    });

    it('keeps the origin secret out of Terraform: no key of the store and no version of the secret in the plan, state or variables', () => {
      expect(theOnly(site, 'aws_cloudfront_key_value_store').name).toMatch(/-site-origin$/);
      expect(resourcesOf(site, 'aws_cloudfrontkeyvaluestore_key')).toEqual([]);
      expect(resourcesOf(site, 'aws_cloudfrontkeyvaluestore_keys_exclusive')).toEqual([]);
      expect(resourcesOf(site, 'aws_secretsmanager_secret_version')).toEqual([]);
      expect(site.resource.aws_secretsmanager_secret.origin_verify.description).toMatch(/CloudFront-Viewer-Address/);
      expect(Object.keys(site.variable ?? {}).filter((v) => /origin|secret/i.test(v))).toEqual([]);
      // The origin custom headers are plain configuration: the secret is never one of them.
      for (const origin of distributionOf(site).origin as StackJson[]) expect(origin.custom_header ?? []).toEqual([]);
    });

    it('tells the API functions where the origin secret is, and only they may read it', () => {
      const arn = '${aws_secretsmanager_secret.origin_verify.arn}';
      for (const name of ['auth', 'uploads', 'shares']) expect(site.resource.aws_lambda_function[name].environment.variables.ORIGIN_SECRET_ARN).toBe(arn);
      const readers = Object.entries(policyDocuments(site))
        .filter(([, statements]) => statements.some((st) => st.resources?.includes(arn)))
        .map(([doc]) => doc)
        .sort();
      expect(readers).toEqual(['auth', 'shares', 'uploads']);
    });
  });

  describe('share pages (/s/*)', () => {
    it('sends /s/* to the API origin the distribution already has (no Lambda@Edge), uncached, with the site\'s security headers', () => {
      const behavior = sharePagesBehaviorOf(site);
      expect(behavior).toMatchObject({
        target_origin_id: 'api',
        viewer_protocol_policy: 'redirect-to-https',
        cache_policy_id: CLOUDFRONT_MANAGED_POLICIES.cachingDisabled,
        origin_request_policy_id: CLOUDFRONT_MANAGED_POLICIES.allViewerExceptHostHeader,
        response_headers_policy_id: distributionOf(site).default_cache_behavior.response_headers_policy_id,
      });
      expect([...behavior.allowed_methods].sort()).toEqual(['GET', 'HEAD']);
      // The path reaches the API as the viewer asked for it (its GET /s/{token} and GET /s/{token}/preview
      // routes); a CloudFront Function (no Lambda@Edge) only passes the viewer's Host on.
      expect(behavior.function_association).toEqual([{ event_type: 'viewer-request', function_arn: '${aws_cloudfront_function.site_share_host.arn}' }]);
      expect(behavior.lambda_function_association).toBeUndefined();
      const routes = Object.values(site.resource.aws_apigatewayv2_route as Record<string, StackJson>).map((r) => r.route_key);
      expect(routes).toContain('GET /s/{token}');
      expect(routes).toContain('GET /s/{token}/preview');
      // Before the default behavior takes them as app routes: CloudFront matches ordered behaviours first.
      const ordered = (distributionOf(site).ordered_cache_behavior as StackJson[]).map((b) => b.path_pattern);
      expect(ordered).toContain('/s/*');
    });

    it('passes the viewer\'s Host on to the API in its own header, replacing any the viewer sent, so og:image names the site', async () => {
      const fn = site.resource.aws_cloudfront_function.site_share_host;
      expect(fn.runtime).toBe('cloudfront-js-2.0');
      const { request } = await runApiViewerRequest(fn.code as string, '/s/abc', { host: { value: 'photos.example.org' }, [VIEWER_HOST_HEADER]: { value: 'evil.example' } }, {});
      expect(request.uri).toBe('/s/abc');
      expect(request.headers[VIEWER_HOST_HEADER]).toEqual({ value: 'photos.example.org' });
    });

    it('serves share pages from the anonymous shares function, throttled like the public share routes, with the app shell of the web build in its environment', () => {
      const route = Object.values(site.resource.aws_apigatewayv2_route as Record<string, StackJson>).find((r) => r.route_key === 'GET /s/{token}')!;
      expect(route.authorization_type).toBe('NONE');
      const integration = Object.values(site.resource.aws_apigatewayv2_integration as Record<string, StackJson>).find((i) => route.target.includes(Object.keys(site.resource.aws_apigatewayv2_integration).find((k) => site.resource.aws_apigatewayv2_integration[k] === i)!))!;
      expect(integration.integration_uri).toBe('${aws_lambda_function.shares.invoke_arn}');
      const stage = theOnly(site, 'aws_apigatewayv2_stage');
      expect((stage.route_settings as StackJson[]).map((r) => r.route_key)).toContain('GET /s/{token}');
      expect(site.resource.aws_lambda_function.shares.environment.variables.APP_SHELL_HTML).toBe(PLACEHOLDER_WEB_FILES['index.html']);
      // Only the shares function gets it; its role gains nothing for the pages (they read what a visitor's GET reads).
      for (const name of ['auth', 'uploads', 'files']) expect(site.resource.aws_lambda_function[name].environment.variables.APP_SHELL_HTML).toBeUndefined();
    });
  });

  describe('files', () => {
    it('uploads one object per built file with its content type, caching and MD5 ETag', () => {
      const objects = Object.fromEntries(siteResourcesOf(site, 'aws_s3_object').map(([, o]) => [o.key as string, o]));
      expect(Object.keys(objects).sort()).toEqual(Object.keys(PLACEHOLDER_WEB_FILES).sort());
      const expected: Record<string, [string, string]> = {
        'index.html': ['text/html; charset=utf-8', 'no-cache'],
        'favicon.svg': ['image/svg+xml', 'no-cache'],
        'assets/index-3f9a1c2b.js': ['text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
        'assets/index-8d41e0f7.css': ['text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      };
      for (const [key, [contentType, cacheControl]] of Object.entries(expected)) {
        expect({ key, type: objects[key].content_type, cache: objects[key].cache_control }).toEqual({ key, type: contentType, cache: cacheControl });
        expect(objects[key].etag).toBe(createHash('md5').update(PLACEHOLDER_WEB_FILES[key]).digest('hex'));
        expect(objects[key].bucket).toBe('${aws_s3_bucket.site.id}');
      }
    });

    it('reads each file from the synthesized module itself, so the module folder can be copied anywhere', () => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-site-test-'));
      try {
        const { module } = synthesizeApp({
          bundleRoot: placeholderBundleRoot(),
          webRoot: placeholderWebRoot(),
          config: { region: DEFAULT_REGION, tags: {}, variables: {} },
          outdir,
        });
        const stackDir = path.join(outdir, 'stacks', 'media-store-module');
        for (const [, object] of siteResourcesOf(module, 'aws_s3_object')) {
          expect(object.source).toMatch(/^\$\{path\.module\}\/assets\/[^/]+\/web\//);
          const file = path.join(stackDir, (object.source as string).replace('${path.module}/', ''));
          expect(fs.readFileSync(file, 'utf8')).toBe(PLACEHOLDER_WEB_FILES[object.key as string]);
        }
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });
  });

  describe('media bucket CORS', () => {
    it('admits the site\'s CloudFront origin besides cors_allowed_origins', () => {
      const origins = theOnly(site, 'aws_s3_bucket_cors_configuration').cors_rule[0].allowed_origins;
      expect(origins).toEqual(['https://admin.example.com', '${join("", ["https://", aws_cloudfront_distribution.site.domain_name])}']);
    });

    it('admits the site\'s custom domain too', () => {
      const withDomain = synthesizeConstruct({ siteDomainName: 'photos.example.com', siteCertificateArn: CERTIFICATE });
      const origins = theOnly(withDomain, 'aws_s3_bucket_cors_configuration').cors_rule[0].allowed_origins;
      expect(origins).toContain('https://photos.example.com');
      expect(origins).toContain('${join("", ["https://", aws_cloudfront_distribution.site.domain_name])}');
    });

    it('in the module, adds the site origins to var.cors_allowed_origins only while the site is on', () => {
      const cors = theOnly(moduleStack, 'aws_s3_bucket_cors_configuration');
      expect(cors.cors_rule[0].allowed_origins).toBe(
        '${concat(var.cors_allowed_origins, concat(var.site ? [join("", ["https://", aws_cloudfront_distribution.site[0].domain_name])] : [], ' +
          '(var.site && ("" != var.site_domain_name)) ? [join("", ["https://", var.site_domain_name])] : []))}',
      );
    });
  });

  describe('custom domain', () => {
    let withDomain: StackJson;
    beforeAll(() => {
      withDomain = synthesizeConstruct({ siteDomainName: 'photos.example.com', siteCertificateArn: CERTIFICATE, hostedZoneId: 'Z0123456789ABC' });
    });

    it('answers on the domain with the us-east-1 certificate, SNI and TLS 1.2', () => {
      const distribution = distributionOf(withDomain);
      expect(distribution.aliases).toEqual(['photos.example.com']);
      expect(distribution.viewer_certificate).toEqual({
        acm_certificate_arn: CERTIFICATE,
        ssl_support_method: 'sni-only',
        minimum_protocol_version: 'TLSv1.2_2021',
        cloudfront_default_certificate: false,
      });
    });

    it('creates A and AAAA alias records in the hosted zone', () => {
      const records = resourcesOf(withDomain, 'aws_route53_record').filter(([name]) => name.startsWith('site_alias')).map(([, r]) => r);
      expect(records.map((r) => r.type).sort()).toEqual(['A', 'AAAA']);
      for (const record of records) {
        expect(record.name).toBe('photos.example.com');
        expect(record.zone_id).toBe('Z0123456789ABC');
        expect(record.alias).toEqual({
          name: '${aws_cloudfront_distribution.site.domain_name}',
          zone_id: '${aws_cloudfront_distribution.site.hosted_zone_id}',
          evaluate_target_health: false,
        });
      }
    });

    it('creates no records without a hosted zone (the caller points a CNAME at the distribution)', () => {
      const noZone = synthesizeConstruct({ siteDomainName: 'photos.example.com', siteCertificateArn: CERTIFICATE });
      expect(resourcesOf(noZone, 'aws_route53_record')).toHaveLength(0);
    });

    it('throws when a domain comes without a certificate', () => {
      expect(() => synthesizeConstruct({ siteDomainName: 'photos.example.com' })).toThrow(/certificateArn.*us-east-1/);
    });

    it('uses the CloudFront certificate when no domain is set', () => {
      expect(distributionOf(site).viewer_certificate).toEqual({ cloudfront_default_certificate: true, minimum_protocol_version: 'TLSv1' });
      expect(distributionOf(site).aliases).toEqual([]);
    });

    it('accepts only certificates from us-east-1 in the module variable', () => {
      const variable = moduleStack.variable.site_certificate_arn;
      const pattern = /regex\("([^"]+)"/.exec(variable.validation[0].condition)![1];
      const accepts = (arn: string) => new RegExp(pattern).test(arn);
      expect(accepts(CERTIFICATE)).toBe(true);
      expect(accepts(CERTIFICATE.replace('us-east-1', 'eu-west-1'))).toBe(false);
      expect(variable.description).toMatch(/us-east-1/);
    });

    it('checks in the module, before creating anything, that a domain comes with its certificate', () => {
      expect(distributionOf(moduleStack).lifecycle.precondition).toEqual([
        {
          condition: '${("" != var.site_domain_name) ? ("" != var.site_certificate_arn) : true}',
          error_message: expect.stringMatching(/site_certificate_arn.*us-east-1/),
        },
      ]);
    });
  });

  describe('in the module', () => {
    it('counts every site resource on var.site, which defaults to on', () => {
      expect(moduleStack.variable.site).toMatchObject({ type: 'bool', default: true });
      for (const type of SITE_TYPES) {
        const all = siteResourcesOf(moduleStack, type);
        expect({ type, some: all.length > 0 }).toEqual({ type, some: true });
        for (const [name, resource] of all) expect({ name, count: resource.count }).toEqual({ name, count: '${var.site ? 1 : 0}' });
      }
    });

    it('offers the three price classes, PriceClass_100 by default', () => {
      expect(moduleStack.variable.site_price_class.default).toBe('PriceClass_100');
      expect(moduleStack.variable.site_price_class.validation[0].condition).toContain('"PriceClass_100", "PriceClass_200", "PriceClass_All"');
      expect(distributionOf(moduleStack).price_class).toBe('${var.site_price_class}');
    });

    it('outputs the site URL, distribution id and domain, and bucket name, "" while the site is off', () => {
      const outputs = moduleStack.output as Record<string, StackJson>;
      expect(outputs.site_url.value).toBe(
        '${var.site ? ("" != var.site_domain_name) ? join("", ["https://", var.site_domain_name]) : join("", ["https://", aws_cloudfront_distribution.site[0].domain_name]) : ""}',
      );
      expect(outputs.site_distribution_id.value).toBe('${var.site ? aws_cloudfront_distribution.site[0].id : ""}');
      expect(outputs.site_distribution_domain_name.value).toBe('${var.site ? aws_cloudfront_distribution.site[0].domain_name : ""}');
      expect(outputs.site_bucket_name.value).toBe('${var.site ? aws_s3_bucket.site[0].bucket : ""}');
    });

    it('gives every site resource a stable address', () => {
      const addresses = SITE_TYPES.flatMap((type) => siteResourcesOf(moduleStack, type).map(([name]) => `${type}.${name}`));
      expect(addresses.sort()).toEqual(
        [
          'aws_cloudfront_cache_policy.site_assets',
          'aws_cloudfront_cache_policy.site_pages',
          'aws_cloudfront_distribution.site',
          'aws_cloudfront_function.site_api_prefix',
          'aws_cloudfront_function.site_routes',
          'aws_cloudfront_function.site_share_host',
          'aws_cloudfront_key_value_store.site_origin',
          'aws_cloudfront_origin_access_control.site',
          'aws_cloudfront_response_headers_policy.site',
          'aws_s3_object.site_assets_index-3f9a1c2b_js',
          'aws_s3_object.site_assets_index-8d41e0f7_css',
          'aws_s3_object.site_favicon_svg',
          'aws_s3_object.site_index_html',
        ].sort(),
      );
    });
  });

  describe('without the site', () => {
    it('creates no site resources and no CORS rule when the site is off and no origins are given', () => {
      const off = synthesizeConstruct({ site: false });
      for (const type of SITE_TYPES) expect(siteResourcesOf(off, type)).toHaveLength(0);
      expect(resourcesOf(off, 'aws_s3_bucket_cors_configuration')).toHaveLength(0);
    });

    it('throws a clear error when the construct is given no web build', () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-no-web-'));
      try {
        expect(() => synthesizeConstruct({ webRoot: empty })).toThrow(/index\.html does not exist: run `npm run build`/);
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });

    it('synthesizes the stacks without a web build, with site off and refusing true with the reason', () => {
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-no-web-'));
      try {
        const { module, deployable } = synthesizeApp({
          bundleRoot: placeholderBundleRoot(),
          webRoot: empty,
          config: { region: DEFAULT_REGION, tags: {}, variables: {} },
          outdir: path.join(empty, 'out'),
        });
        for (const stack of [module, deployable]) {
          for (const type of SITE_TYPES) expect(siteResourcesOf(stack, type)).toHaveLength(0);
          expect(stack.variable.site.default).toBe(false);
          expect(stack.variable.site.validation).toEqual([
            { condition: '${!var.site}', error_message: expect.stringMatching(/synthesized without the web app.*npm run build/) },
          ]);
          expect(stack.output.site_url.value).toBe('');
        }
        // cdktf synth prints these warnings.
        const manifest = JSON.parse(fs.readFileSync(path.join(empty, 'out', 'manifest.json'), 'utf8'));
        for (const stack of ['media-store', 'media-store-module']) {
          expect(manifest.stacks[stack].annotations).toEqual([
            expect.objectContaining({ level: '@cdktf/warn', message: expect.stringMatching(/^No web build in .*synthesized without the site/) }),
          ]);
        }
      } finally {
        fs.rmSync(empty, { recursive: true, force: true });
      }
    });
  });
});
