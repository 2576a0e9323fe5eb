import { FUNCTION_NAMES } from '../../contract/functions';
import { generatedPages } from '../../scripts/docs';
import { blanked, interpolations, synthesizeBoth, type StackJson } from './plan';

/** Terraform functions the module may call; anything else is a typo that only `terraform plan` would catch. */
const TERRAFORM_FUNCTIONS = new Set([
  'alltrue', 'can', 'concat', 'contains', 'element', 'filebase64sha256', 'filemd5', 'floor', 'join', 'length', 'lookup', 'split',
  'jsonencode', 'lower', 'merge', 'regex', 'startswith', 'strcontains', 'tolist', 'tomap', 'toset', 'tostring', 'trimprefix', 'values',
]);

/** Every address a `${…}` expression refers to must be declared in the same stack. */
function undeclaredReferences(stack: StackJson): string[] {
  const declared = new Set<string>(['path.module', 'each.value', 'each.key', 'count.index']);
  for (const [type, byName] of Object.entries(stack.resource ?? {})) {
    for (const name of Object.keys(byName as object)) declared.add(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries(stack.data ?? {})) {
    for (const name of Object.keys(byName as object)) declared.add(`data.${type}.${name}`);
  }
  for (const name of Object.keys(stack.variable ?? {})) declared.add(`var.${name}`);
  for (const name of Object.keys(stack.locals ?? {})) declared.add(`local.${name}`);

  const problems: string[] = [];
  for (const expression of interpolations(stack)) {
    // Drop the contents of string literals that hold no interpolation (regexes, messages).
    const code = expression.replace(/"(?:[^"\\$]|\\.)*"/g, '""');
    const addresses = code.match(/\b(?:data\.[a-z0-9_]+\.[A-Za-z0-9_-]+|(?:var|local|path|each|count)\.[A-Za-z0-9_]+|[a-z][a-z0-9]*_[a-z0-9_]+\.[A-Za-z0-9_-]+)/g) ?? [];
    for (const address of addresses) {
      if (!declared.has(address)) problems.push(`${address} in \${${expression}}`);
    }
    for (const [, fn] of code.matchAll(/\b([a-z][a-z0-9_]*)\(/g)) {
      if (!TERRAFORM_FUNCTIONS.has(fn)) problems.push(`function ${fn}() in \${${expression}}`);
    }
  }
  return problems;
}

describe('media-store app', () => {
  let deployable: StackJson;
  let moduleStack: StackJson;
  beforeAll(() => {
    ({ deployable, module: moduleStack } = synthesizeBoth());
  });

  describe('module stack', () => {
    it('has no provider block and no backend', () => {
      expect(moduleStack.provider).toBeUndefined();
      expect(moduleStack.terraform.backend).toBeUndefined();
      expect(moduleStack.terraform.cloud).toBeUndefined();
    });

    it('requires only the AWS provider, from 5.100 (verified by the terraform tests) to 6.x', () => {
      expect(moduleStack.terraform.required_providers).toEqual({
        aws: { source: 'hashicorp/aws', version: '>= 5.100, < 7.0' },
      });
    });

    it('types, describes and defaults every variable, and refuses null', () => {
      const variables = Object.entries(moduleStack.variable) as [string, StackJson][];
      expect(variables.length).toBeGreaterThan(25);
      for (const [name, v] of variables) {
        expect({ name, type: typeof v.type }).toEqual({ name, type: 'string' });
        expect({ name, description: (v.description ?? '').length > 10 }).toEqual({ name, description: true });
        expect({ name, hasDefault: 'default' in v }).toEqual({ name, hasDefault: true });
        expect(v.nullable).toBe(false);
        for (const rule of v.validation ?? []) {
          expect(rule.condition).toContain(`var.${name}`);
          expect(rule.error_message).toMatch(/\.$/);
        }
      }
    });

    // HCL strings know only \n \r \t \" \\ \uNNNN \UNNNNNNNN: a regex's `\s` must be written `\\s`,
    // or `terraform init` refuses the whole module (plan tests alone never parse HCL strings).
    it('writes only escapes HCL knows inside the string literals of its expressions', () => {
      const bad: string[] = [];
      for (const expression of interpolations(moduleStack)) {
        for (const [literal] of expression.matchAll(/"(?:[^"\\]|\\.)*"/g)) {
          if (/\\[^nrt"\\uU]/.test(literal.replace(/\\\\/g, ''))) bad.push(literal);
        }
      }
      expect(bad).toEqual([]);
    });

    // Upload URLs may be short (the e2e stacks watch them expire in seconds); view URLs live at least a minute.
    it.each([['upload_url_ttl_seconds', 1], ['view_url_ttl_seconds', 60]] as const)('caps %s at the hour Lambda role credentials can be relied on, and says why', (name, min) => {
      const variable = moduleStack.variable[name];
      expect(variable.validation[0].condition).toContain(`var.${name} >= ${min} && var.${name} <= 3600`);
      expect(variable.description).toMatch(/at most 3600: .*temporary credentials.*S3 refuses a URL once they expire/);
      expect(variable.default).toBeLessThanOrEqual(3600);
    });

    it('defaults to the secure settings', () => {
      const d = (name: string) => moduleStack.variable[name].default;
      expect(d('versioning')).toBe(true);
      expect(d('table_deletion_protection')).toBe(true);
      expect(d('force_destroy')).toBe(false);
      expect(d('cors_allowed_origins')).toEqual([]);
      expect(d('architecture')).toBe('arm64');
      expect(d('log_retention_days')).toBeGreaterThan(0);
      expect(d('token_ttl_seconds')).toBe(300);
      expect(d('refresh_token_ttl_seconds')).toBe(30 * 24 * 3600);
      expect(d('authorizer_result_ttl_seconds')).toBe(60);
    });

    it('caps the authorizer cache at 60 seconds: it bounds how long a logged-out, changed or deleted user keeps access', () => {
      const rules = moduleStack.variable.authorizer_result_ttl_seconds.validation as { condition: string }[];
      expect(rules.map((r) => r.condition).join(' ')).toMatch(/<= 60 /);
      expect(rules.map((r) => r.condition).join(' ')).not.toMatch(/<= 300/);
    });

    it('describes every output: API URL, bucket, table, topic and each function', () => {
      const outputs = moduleStack.output as Record<string, StackJson>;
      const expected = [
        'api_url', 'bucket_name', 'bucket_arn', 'table_name', 'table_arn', 'sns_topic_arn',
        ...FUNCTION_NAMES.flatMap((n) => [`${n}_function_name`, `${n}_function_arn`]),
      ];
      expect(Object.keys(outputs)).toEqual(expect.arrayContaining(expected));
      for (const [name, output] of Object.entries(outputs)) {
        expect({ name, described: (output.description ?? '').length > 10 }).toEqual({ name, described: true });
      }
    });

    it('builds the same resources as the deployable stack', () => {
      const shape = (s: StackJson) =>
        Object.entries(s.resource).flatMap(([type, byName]) => Object.keys(byName as object).map((n) => `${type}.${n}`)).sort();
      expect(shape(moduleStack)).toEqual(shape(deployable));
    });

    it.each(['docs/module.md', 'docs/api.md'])('keeps the generated tables of %s up to date (run `npm run docs`)', (page) => {
      const { current, generated } = generatedPages(moduleStack).find((p) => p.file.endsWith(page))!;
      expect(current).toBe(generated);
    });
  });

  describe('deployable stack', () => {
    it('configures the AWS provider with the region and keeps state locally by default', () => {
      expect(deployable.provider.aws).toEqual([{ region: 'us-east-1' }]);
      expect(deployable.terraform.backend.local.path).toMatch(/terraform\.media-store\.tfstate$/);
    });

    it('pins the same provider ranges as the module', () => {
      expect(deployable.terraform.required_providers).toEqual(moduleStack.terraform.required_providers);
    });
  });

  describe.each(['media-store', 'media-store-module'])('%s', (stackName) => {
    const stack = () => (stackName === 'media-store' ? deployable : moduleStack);

    it('refers only to declared resources, data sources, variables and known functions', () => {
      expect(undeclaredReferences(stack())).toEqual([]);
    });

    it('holds no secret-looking literal', () => {
      const text = JSON.stringify(stack());
      expect(text).not.toMatch(/-----BEGIN|AKIA[0-9A-Z]{16}|"secret_string":\s*"(?!\$\{)/);
      const strings: string[] = [];
      // cdktf's own metadata (`//`) holds construct ids, not configuration.
      JSON.stringify(stack(), (k, v: unknown) => (k === '//' ? undefined : (typeof v === 'string' && strings.push(v), v)));
      // Long random-looking literals (keys, tokens) outside references and asset paths.
      const suspicious = strings.filter((s) => !s.includes('${') && /^[A-Za-z0-9+/=_-]{32,}$/.test(s) && /\d/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s));
      expect(suspicious).toEqual([]);
    });

    it('matches the snapshot (asset hashes and state path blanked)', () => {
      expect(blanked(stack())).toMatchSnapshot();
    });
  });
});
