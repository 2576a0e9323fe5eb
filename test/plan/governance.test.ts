import { Construct } from 'constructs';
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { MediaStore } from '../../modules/media-store';
import { FUNCTION_TAG } from '../../contract/functions';
import { DEFAULT_REGION } from '../../modules/stacks/config';
import { placeholderBundleRoot, placeholderWebRoot } from '../../modules/stacks/synthesize';
import { resourcesOf, synthesizeBoth, synthesizeConstruct, type StackJson } from './plan';
import { VARIABLE_EXAMPLES } from '../../modules/stacks/variable-examples';

const BOUNDARY = 'arn:aws:iam::111122223333:policy/platform-boundary';
const TAGS = { 'cost-center': 'media', owner: 'platform' };

/** Every resource of the stack whose body has a `tags` argument, as `type.name`. */
const tagged = (stack: StackJson) =>
  Object.entries(stack.resource as StackJson).flatMap(([type, byName]) =>
    Object.entries(byName as StackJson).filter(([, body]) => 'tags' in (body as StackJson)).map(([name, body]) => [`${type}.${name}`, (body as StackJson).tags] as const),
  );

describe('MediaStore governance: tags, permissions boundary, role path', () => {
  describe('as a CDKTF construct with plain values', () => {
    let plan: StackJson;
    beforeAll(() => {
      plan = synthesizeConstruct({ tags: TAGS, permissionsBoundary: BOUNDARY, iamRolePath: '/media-store/' });
    });

    it('puts the tags on the functions, the table, both buckets, the secrets, topics, queue, log groups, alarms and the distribution', () => {
      const types = new Set(tagged(plan).map(([address]) => address.split('.')[0]));
      for (const type of ['aws_lambda_function', 'aws_dynamodb_table', 'aws_s3_bucket', 'aws_secretsmanager_secret', 'aws_sns_topic', 'aws_sqs_queue', 'aws_cloudwatch_log_group', 'aws_cloudwatch_metric_alarm', 'aws_cloudfront_distribution', 'aws_iam_role', 'aws_apigatewayv2_api']) {
        expect(types).toContain(type);
      }
      for (const [, tags] of tagged(plan)) expect(tags).toMatchObject(TAGS);
    });

    it('keeps each function\'s own name tag, which wins over a caller tag of the same key', () => {
      const clash = synthesizeConstruct({ site: false, tags: { ...TAGS, [FUNCTION_TAG]: 'caller' } });
      for (const [name, fn] of resourcesOf(clash, 'aws_lambda_function')) {
        expect(fn.tags).toEqual({ ...TAGS, [FUNCTION_TAG]: name });
      }
    });

    it('gives every role the permissions boundary and the path', () => {
      const roles = resourcesOf(plan, 'aws_iam_role');
      expect(roles.length).toBeGreaterThanOrEqual(9);
      for (const [, role] of roles) expect(role).toMatchObject({ permissions_boundary: BOUNDARY, path: '/media-store/' });
    });

    it('adds nothing by default: no tags argument, no boundary, IAM\'s default path', () => {
      const plain = synthesizeConstruct({ site: false });
      expect(tagged(plain).filter(([address]) => !address.startsWith('aws_lambda_function.'))).toEqual([]);
      for (const [, role] of resourcesOf(plain, 'aws_iam_role')) {
        expect(role.permissions_boundary).toBeUndefined();
        expect(role.path).toBeUndefined();
      }
    });

    it('covers resources added under the MediaStore later, by any construct', () => {
      const app = Testing.app();
      const stack = new TerraformStack(app, 'later');
      new AwsProvider(stack, 'aws', { region: DEFAULT_REGION });
      const store = new MediaStore(stack, 'media-store', { bundleRoot: placeholderBundleRoot(), webRoot: placeholderWebRoot(), site: false, tags: TAGS, permissionsBoundary: BOUNDARY });
      const extension = new Construct(store, 'extension');
      new SqsQueue(extension, 'queue', { name: 'added-later' });
      new IamRole(extension, 'role', { name: 'added-later', assumeRolePolicy: '{}' });
      const json = JSON.parse(Testing.synth(stack, true)) as StackJson;
      const queue = resourcesOf(json, 'aws_sqs_queue').find(([, q]) => q.name === 'added-later')![1];
      const role = resourcesOf(json, 'aws_iam_role').find(([, r]) => r.name === 'added-later')![1];
      expect(queue.tags).toEqual(TAGS);
      expect(role).toMatchObject({ tags: TAGS, permissions_boundary: BOUNDARY });
    });
  });

  describe('in the module stack', () => {
    let module: StackJson;
    beforeAll(() => {
      module = synthesizeBoth().module;
    });

    it('reads the tags variable on every resource that takes tags, merged under a resource\'s own tags', () => {
      const all = tagged(module);
      expect(all.length).toBeGreaterThan(50);
      for (const [address, tags] of all) {
        expect([address, tags]).toEqual([address, expect.stringMatching(/^\$\{(var\.tags|merge\(var\.tags, \{.*\}\))\}$/)]);
      }
    });

    it('reads the boundary and the path variables on every role, the boundary left unset when empty', () => {
      for (const [, role] of resourcesOf(module, 'aws_iam_role')) {
        expect(role.path).toBe('${var.iam_role_path}');
        expect(role.permissions_boundary).toBe('${("" == var.permissions_boundary) ? null : var.permissions_boundary}');
      }
    });

    it('documents every variable with an example of its value in HCL', () => {
      const variables = Object.entries(module.variable as StackJson);
      expect(variables.length).toBe(Object.keys(VARIABLE_EXAMPLES).length);
      for (const [name, variable] of variables) expect([name, variable.description]).toEqual([name, expect.stringMatching(new RegExp(`\\. Example: ${name} = \\S.*$`))]);
      expect(module.variable.tags.description).toMatch(/Example: tags = \{ cost-center = "media", owner = "platform-team" \}$/);
    });

    it('refuses a boundary that is not a policy ARN and a path without slashes at both ends', () => {
      expect(module.variable.permissions_boundary.validation[0].condition).toContain(':policy/');
      expect(module.variable.iam_role_path.validation[0].condition).toContain('^/([A-Za-z0-9+=,.@_-]+/)*$');
      expect(module.variable.tags).toMatchObject({ type: 'map(string)', default: {} });
    });
  });
});
