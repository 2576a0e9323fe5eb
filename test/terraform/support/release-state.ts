/**
 * Builds the Terraform state of a deployed release-0.1 module (the upgrade test's fixture,
 * test/terraform/fixtures/release-0.1.tfstate.json) without AWS: plans release 0.1's own
 * synthesized module with its custom inputs (every optional resource exists), writes the
 * planned values as state with plausible fakes for what only AWS would know (ids, ARNs), and
 * plans again until Terraform has nothing left to change — the state of a deployment that is
 * up to date with its configuration.
 *
 *   npx tsx test/terraform/support/release-state.ts <release-0.1 cdktf.out/stacks/media-store-module> <out.json>
 *
 * Release 0.1 generated its JWT key with the random provider, which no offline mirror holds:
 * the key's `random_password` is left out of the state (a `removed` block forgets it on real
 * deployments), and the secret version gets a placeholder string instead of its result.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { RELEASE_0_1_CUSTOM } from './variable-sets';
import { FAKE_ACCOUNT_ID, startFakeSts, terraform, terraformEnv, writeCliConfig, type Json, type PlanJson } from './terraform';

export const MODULE_CALL = 'media_store';
const REGION = 'us-east-1';
const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';

/** A root calling the module at `source` with release 0.1's custom inputs. */
export function upgradeRoot(source: string): Json {
  return {
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '>= 5.100, < 7.0' } } },
    provider: { aws: [{ region: REGION }] },
    module: { [MODULE_CALL]: { source, ...RELEASE_0_1_CUSTOM } },
  };
}

const SERVICES: Record<string, string> = {
  iam: 'iam', lambda: 'lambda', s3: 's3', sqs: 'sqs', sns: 'sns', dynamodb: 'dynamodb', cloudwatch: 'logs',
  secretsmanager: 'secretsmanager', acm: 'acm', apigatewayv2: 'apigateway', route53: 'route53',
};

/** A stand-in for a value only AWS would know, shaped like the real one where other resources use it. */
function fake(type: string, attribute: string, known: Json, schemaType: unknown): unknown {
  const label = String(known.function_name ?? known.name ?? known.bucket ?? known.domain_name ?? type.replace(/^aws_/, '')).replace(/[^A-Za-z0-9-]/g, '-');
  const service = SERVICES[type.split('_')[1]] ?? 'fake';
  const arn = `arn:aws:${service}:${REGION}:${FAKE_ACCOUNT_ID}:${label}`;
  if (attribute === 'domain_validation_options') {
    return [{ domain_name: known.domain_name, resource_record_name: `_fake.${known.domain_name}.`, resource_record_type: 'CNAME', resource_record_value: '_fake.acm-validations.aws.' }];
  }
  if (Array.isArray(schemaType)) {
    if (schemaType[0] === 'map') return {};
    if (schemaType[0] === 'object') return {};
    return [];
  }
  if (schemaType === 'number') return 0;
  if (schemaType === 'bool') return false;
  if (type === 'aws_s3_bucket' && attribute === 'bucket') return 'media-custom-20260101000000000000000001';
  if (type === 'aws_s3_bucket' && attribute === 'region') return REGION;
  if (type === 'aws_lambda_function' && attribute === 'invoke_arn') return `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations`;
  if (attribute === 'execution_arn') return `arn:aws:execute-api:${REGION}:${FAKE_ACCOUNT_ID}:fakeapi01`;
  if (attribute === 'arn' || attribute.endsWith('_arn')) return arn;
  if (attribute === 'api_endpoint' || attribute === 'invoke_url' || attribute === 'url') return `https://${label}.example.invalid/`;
  if (attribute === 'id') return type === 'aws_apigatewayv2_api' ? 'fakeapi01' : `${label}-${type.replace(/^aws_/, '')}`;
  const named: Record<string, string> = {
    resource_record_type: 'CNAME',
    resource_record_name: '_fake.media.example.com.',
    resource_record_value: '_fake.acm-validations.aws.',
    target_domain_name: 'd-fake01.execute-api.us-east-1.amazonaws.com',
    hosted_zone_id: 'Z1UJRXOUMOOFQ8',
    fqdn: '_fake.media.example.com',
  };
  // Anything else stays empty: a made-up word could fail a provider's enum check.
  return named[attribute] ?? '';
}

/** Schema type of an attribute, or of a nested block (`['list', …]` / `['object', …]`). */
function typeOf(schema: Json | undefined, key: string): unknown {
  if (schema?.attributes?.[key]) return schema.attributes[key].type;
  const block = schema?.block_types?.[key];
  if (block) return block.nesting_mode === 'single' ? ['object', {}] : ['list', {}];
  return 'string';
}

/** `after` with every unknown leaf filled: from the prior state when it had one, else a fake. */
function fill(type: string, after: Json | null, unknown: Json, before: Json | null | undefined, schema: Json | undefined): Json {
  const values: Json = { ...(after ?? {}) };
  for (const [key, flag] of Object.entries(unknown ?? {})) {
    if (flag === true) {
      values[key] = before?.[key] ?? fake(type, key, values, typeOf(schema, key));
    } else if (Array.isArray(flag) && Array.isArray(values[key])) {
      const nested = schema?.block_types?.[key]?.block as Json | undefined;
      values[key] = (values[key] as Json[]).map((item, i) =>
        flag[i] && typeof item === 'object' && item !== null ? fill(type, item, flag[i] as Json, before?.[key]?.[i], nested) : item,
      );
    }
  }
  return values;
}

async function main(source: string, outFile: string): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-release-state-'));
  const sts = await startFakeSts();
  try {
    const moduleDir = path.join(work, 'module');
    fs.cpSync(source, moduleDir, { recursive: true });
    const stack = JSON.parse(fs.readFileSync(path.join(moduleDir, 'cdk.tf.json'), 'utf8')) as Json;
    delete stack.resource.random_password;
    delete stack.terraform.required_providers.random;
    stack.terraform.required_providers.aws.version = '>= 5.100, < 7.0';
    for (const version of Object.values(stack.resource.aws_secretsmanager_secret_version as Json)) version.secret_string = 'release-0.1-fixture-placeholder';
    fs.writeFileSync(path.join(moduleDir, 'cdk.tf.json'), JSON.stringify(stack, null, 2));

    const root = path.join(work, 'root');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'main.tf.json'), JSON.stringify(upgradeRoot('../module'), null, 2));
    const env = terraformEnv(writeCliConfig(work), sts.url, path.join(work, 'plugins'));
    fs.mkdirSync(path.join(work, 'plugins'));
    await terraform(root, ['init', '-no-color'], env);
    const schemas = JSON.parse(await terraform(root, ['providers', 'schema', '-json'], env)) as Json;
    const resourceSchemas = schemas.provider_schemas['registry.terraform.io/hashicorp/aws'].resource_schemas as Json;

    const lineage = randomUUID();
    let state: Json = { version: 4, terraform_version: '1.11.4', serial: 0, lineage, outputs: {}, resources: [] };
    for (let round = 1; round <= 6; round++) {
      await terraform(root, ['plan', '-refresh=false', '-no-color', '-out=plan.bin'], env);
      const plan = JSON.parse(await terraform(root, ['show', '-json', 'plan.bin'], env)) as PlanJson;
      const changes = (plan.resource_changes ?? []).filter((c) => c.mode === 'managed');
      const pending = changes.filter((c) => !(c.change.actions.length === 1 && c.change.actions[0] === 'no-op'));
      process.stdout.write(`round ${round}: ${pending.length} of ${changes.length} resources still change${pending.length <= 5 ? `: ${pending.map((c) => `${c.address} ${c.change.actions.join("+")}`).join(", ")}` : ""}\n`);
      if (pending.length === 0) break;
      const byResource = new Map<string, Json>();
      for (const c of changes) {
        const rc = c as unknown as Json;
        const key = `${rc.module_address}|${rc.type}|${rc.name}`;
        const schema = resourceSchemas[rc.type] as Json;
        const resource = byResource.get(key) ?? {
          module: rc.module_address,
          mode: 'managed',
          type: rc.type,
          name: rc.name,
          provider: PROVIDER,
          instances: [],
        };
        byResource.set(key, resource);
        resource.instances.push({
          ...(rc.index !== undefined ? { index_key: rc.index } : {}),
          schema_version: schema.version ?? 0,
          attributes: fill(rc.type, c.change.after, c.change.after_unknown, c.change.before, schema.block),
          sensitive_attributes: [],
        });
      }
      state = { ...state, serial: round, resources: [...byResource.values()] };
      fs.writeFileSync(path.join(root, 'terraform.tfstate'), JSON.stringify(state, null, 2));
    }
    fs.writeFileSync(outFile, `${JSON.stringify(state, null, 1)}\n`);
    process.stdout.write(`wrote ${outFile}: ${state.resources.length} resources\n`);
  } finally {
    await sts.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const [source, out] = process.argv.slice(2);
  if (!source || !out) {
    process.stderr.write('usage: tsx test/terraform/support/release-state.ts <release-0.1 module dir> <out.json>\n');
    process.exit(2);
  }
  main(path.resolve(source), path.resolve(out)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
