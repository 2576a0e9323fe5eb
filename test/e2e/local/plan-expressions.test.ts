/** The subset of Terraform expressions the local stack resolves from the synthesized plan. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PlanError, SynthesizedPlan, type PlanDocument, type PlanValue } from '../../../local/plan';
import { corsRulesFromPlan, LOCAL_DISTRIBUTION_DOMAIN } from '../../../local/s3';
import { DEFAULT_REGION } from '../../../modules/stacks/config';
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp } from '../../../modules/stacks/synthesize';

const document: PlanDocument = {
  variable: {
    name_prefix: { default: 'media-store', type: 'string' },
    bucket_name: { default: '', type: 'string' },
    origins: { default: [], type: 'list(string)' },
    types: { default: ['image/*', 'video/*'], type: 'list(string)' },
    size: { default: 10, type: 'number' },
    required: { type: 'string' },
    site: { default: false, type: 'bool' },
  },
  locals: { label: '${var.name_prefix}-label' },
  resource: { aws_s3_bucket: { b: {} }, aws_cloudfront_distribution: { site: { count: '${var.site ? 1 : 0}' } } },
};

describe('SynthesizedPlan.resolve', () => {
  const plan = new SynthesizedPlan('/stack', document);

  it.each([
    ['a literal', 'plain', 'plain'],
    ['a variable', '${var.size}', 10],
    ['an interpolation', '${var.name_prefix}-catalog', 'media-store-catalog'],
    ['a joined list', '${join(",", var.types)}', 'image/*,video/*'],
    ['a local', '${local.label}', 'media-store-label'],
    ['a conditional with a nested template', '${("" == var.bucket_name) ? "${var.name_prefix}-" : null}', 'media-store-'],
    ['a conditional to null', '${("" == var.bucket_name) ? null : var.bucket_name}', null],
    ['a count from a length comparison', '${(0 < length(var.origins)) ? 1 : 0}', 0],
    ['an escaped template', '$${literal}', '${literal}'],
    ['concatenated lists', '${concat(var.types, ["x"], [])}', ['image/*', 'video/*', 'x']],
    [
      'a conditional whose branch not taken refers to an absent counted resource',
      '${concat(var.origins, var.site ? [join("", ["https://", aws_cloudfront_distribution.site[0].domain_name])] : [])}',
      [],
    ],
    ['a negation in the branch not taken', '${var.site ? !var.site : "off"}', 'off'],
  ])('resolves %s', (_case, expression, expected) => {
    expect(plan.resolve(expression)).toEqual(expected);
  });

  it.each([
    ['a variable without default', '${var.required}', /no default/],
    ['an unknown variable', '${var.nope}', /not declared/],
    ['a resource reference without a resolver', '${aws_s3_bucket.b.arn}', /no local value/],
    ['an unsupported function', '${cidrsubnet("10.0.0.0/8", 8, 1)}', /not supported/],
    ['an index expression', '${var.types[0]}', /not supported/],
  ])('refuses %s', (_case, expression, message) => {
    expect(() => plan.resolve(expression)).toThrow(PlanError);
    expect(() => plan.resolve(expression)).toThrow(message);
  });

  it('resolves a counted resource instance (type.name[0].attr) through the resolver', () => {
    const on = new SynthesizedPlan('/stack', document, { site: true });
    const resolver = (type: string, name: string, attribute: string) => `${type}.${name}.${attribute}`;

    expect(on.resolve('${var.site ? [aws_cloudfront_distribution.site[0].domain_name] : []}', resolver)).toEqual([
      'aws_cloudfront_distribution.site.domain_name',
    ]);
  });

  it('maps ${path.module} file names into the stack directory', () => {
    expect(plan.resolvePath('${path.module}/assets/a/b.zip')).toBe(path.join('/stack', 'assets', 'a', 'b.zip'));
  });
});

describe('SynthesizedPlan variables from TF_VAR_*', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-plan-test-'));
  writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(document));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads strings raw and other types as JSON, like terraform', () => {
    const values = SynthesizedPlan.variablesFromEnv(dir, {
      TF_VAR_name_prefix: 'dev',
      TF_VAR_origins: '["http://localhost:5173"]',
      TF_VAR_size: '20',
      OTHER: 'ignored',
    });

    const plan = SynthesizedPlan.load(dir, values);

    expect(plan.resolve('${var.name_prefix}')).toBe('dev');
    expect(plan.resolve('${var.origins}')).toEqual(['http://localhost:5173']);
    expect(plan.resolve('${var.size}')).toBe(20);
  });

  it('refuses a value for a variable the plan does not declare', () => {
    expect(() => SynthesizedPlan.load(dir, { unknown_variable: 'x' })).toThrow(/does not declare/);
  });

  it('refuses a non-JSON value for a list variable', () => {
    expect(() => SynthesizedPlan.variablesFromEnv(dir, { TF_VAR_origins: 'http://a' })).toThrow(/must be JSON/);
  });
});

describe('corsRulesFromPlan with the site on', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'media-store-site-plan-'));
  beforeAll(() => {
    synthesizeApp({
      bundleRoot: placeholderBundleRoot(),
      webRoot: placeholderWebRoot(),
      config: { region: DEFAULT_REGION, tags: {}, variables: {} },
      outdir,
    });
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));
  const load = (values: Record<string, PlanValue>) => SynthesizedPlan.load(path.join(outdir, 'stacks', 'media-store-module'), values);

  it('admits the given origins and the custom domain, the CloudFront origin standing in as an .invalid name', () => {
    const [rule] = corsRulesFromPlan(load({ cors_allowed_origins: ['http://localhost:5173'], site_domain_name: 'photos.example.com' }));

    expect(rule.allowedOrigins).toEqual(['http://localhost:5173', `https://${LOCAL_DISTRIBUTION_DOMAIN}`, 'https://photos.example.com']);
  });

  it('has no rule when the site is off and no origins are given', () => {
    expect(corsRulesFromPlan(load({ site: false }))).toEqual([]);
  });
});
