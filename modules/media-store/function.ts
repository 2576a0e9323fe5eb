import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset, Token, ref } from 'cdktf';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import type { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentStatement,
  type DataAwsIamPolicyDocumentStatementCondition,
} from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { BUNDLE_HANDLER, FUNCTION_TAG, type FunctionName } from '../../contract/functions';
import { leadingKeyPatterns, type PartitionName } from '../../contract/table';
import { ACTIONS_WITHOUT_RESOURCE_ARN, DEFAULTS, LAMBDA_RUNTIME } from './defaults';
import { addressOf } from './addresses';
import { attributeOf, pickString, type Presence } from './expressions';

export type PolicyStatement = DataAwsIamPolicyDocumentStatement;

/**
 * The condition that keeps a table grant to the named partitions of the catalog
 * (contract/table.ts `PARTITIONS`), as `dynamodb:LeadingKeys` patterns.
 */
export const onlyPartitions = (...names: readonly PartitionName[]): DataAwsIamPolicyDocumentStatementCondition[] => [
  { test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: leadingKeyPatterns(...names) },
];

export interface MediaStoreFunctionProps {
  /** Contract name of the function (tag value, bundle name). */
  readonly name: FunctionName;
  /** Physical Lambda function name. */
  readonly functionName: string;
  readonly description: string;
  /** Absolute path of the bundle zip (`dist/<name>.zip`). */
  readonly bundlePath: string;
  /** Environment variables, exactly those the function's config reads. */
  readonly environment: Record<string, string>;
  /** What the function may do beyond writing its own logs and traces. Exact ARNs only. */
  readonly statements: PolicyStatement[];
  /** `arm64` or `x86_64`. @default "arm64" */
  readonly architecture?: string;
  /** @default 512 */
  readonly memoryMb?: number;
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /** Size of /tmp, MB (512-10240; above 512 is billed). @default 512 */
  readonly ephemeralStorageMb?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** Active X-Ray tracing. @default true */
  readonly tracing?: boolean;
  /** Concurrent executions reserved (and capped); -1 reserves none. @default -1 */
  readonly reservedConcurrency?: number;
  /**
   * Deploy the bundle through an S3 object (bundles over Lambda's 50 MB direct-upload
   * limit): `upload(source)` returns the object holding it. @default direct upload
   */
  readonly deployThrough?: (source: string) => S3Object;
}

/**
 * A Lambda function with everything it owns: its bundle as an asset, its log group with
 * retention, and a role that may write only to that log group plus the given statements.
 */
export class MediaStoreFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: TerraformAsset;
  /** Name of every Terraform address this function owns (`aws_lambda_function.<address>`). */
  readonly address: string;

  constructor(scope: Construct, id: string, props: MediaStoreFunctionProps) {
    super(scope, id);
    // Stable Terraform addresses: `aws_lambda_function.<name>`, `aws_iam_role.<name>`, …
    const address = addressOf(props.name);
    this.bundle = new TerraformAsset(this, 'bundle', { path: props.bundlePath, type: AssetType.FILE });
    // Relative to the synthesized stack directory, so the module works from any root.
    const bundleFile = `${Token.asString(ref('path.module'))}/${this.bundle.path}`;

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays ?? DEFAULTS.logRetentionDays,
    });
    this.logGroup.overrideLogicalId(address);

    const assumeRole = new DataAwsIamPolicyDocument(this, 'assume-role', {
      statement: [
        {
          effect: 'Allow',
          actions: ['sts:AssumeRole'],
          principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }],
        },
      ],
    });
    assumeRole.overrideLogicalId(`${address}_assume_role`);
    this.role = new IamRole(this, 'role', {
      name: props.functionName,
      description: `Execution role of ${props.functionName}`,
      assumeRolePolicy: assumeRole.json,
    });
    this.role.overrideLogicalId(address);

    const permissions = new DataAwsIamPolicyDocument(this, 'permissions', {
      statement: [
        {
          sid: 'WriteOwnLogs',
          effect: 'Allow',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [`${this.logGroup.arn}:log-stream:*`],
        },
        {
          sid: 'WriteTraces',
          effect: 'Allow',
          actions: [...ACTIONS_WITHOUT_RESOURCE_ARN],
          resources: ['*'],
        },
        ...props.statements,
      ],
    });
    permissions.overrideLogicalId(address);
    const policy = new IamRolePolicy(this, 'policy', {
      name: 'least-privilege',
      role: this.role.id,
      policy: permissions.json,
    });
    policy.overrideLogicalId(address);

    const artifact = props.deployThrough?.(bundleFile);
    const code = artifact === undefined ? { filename: bundleFile } : { s3Bucket: artifact.bucket, s3Key: artifact.key };
    this.function = new LambdaFunction(this, 'function', {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: LAMBDA_RUNTIME,
      handler: BUNDLE_HANDLER,
      architectures: [props.architecture ?? DEFAULTS.lambdaArchitecture],
      memorySize: props.memoryMb ?? DEFAULTS.lambdaMemoryMb,
      timeout: props.timeoutSeconds ?? DEFAULTS.lambdaTimeoutSeconds,
      ...code,
      ...(props.ephemeralStorageMb !== undefined ? { ephemeralStorage: { size: props.ephemeralStorageMb } } : {}),
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      sourceCodeHash: Fn.filebase64sha256(bundleFile),
      environment: { variables: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' } },
      loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
      tracingConfig: { mode: pickString(props.tracing ?? DEFAULTS.tracing, 'Active', 'PassThrough') },
      tags: { [FUNCTION_TAG]: props.name },
      // The first invocation must find its log group and its permissions in place.
      dependsOn: [this.logGroup, policy],
    });
    this.function.overrideLogicalId(address);
    this.address = address;
  }

  /** Statements granted by a policy of their own (for access to resources created after the function). */
  allow(id: string, logicalId: string, statements: PolicyStatement[]): IamRolePolicy {
    const document = new DataAwsIamPolicyDocument(this, `${id}-permissions`, { statement: statements });
    document.overrideLogicalId(logicalId);
    const policy = new IamRolePolicy(this, `${id}-policy`, { name: id, role: this.role.id, policy: document.json });
    policy.overrideLogicalId(logicalId);
    return policy;
  }

  /**
   * Statements that apply only when `presence` says so (e.g. a KMS key that is optional):
   * a separate counted policy, so the main policy never holds an empty ARN.
   */
  allowWhen(id: string, presence: Presence | undefined, statements: PolicyStatement[]): void {
    if (!presence) return;
    const document = new DataAwsIamPolicyDocument(this, `${id}-permissions`, { count: presence.count, statement: statements });
    document.overrideLogicalId(`${this.address}_${addressOf(id)}`);
    const policy = new IamRolePolicy(this, `${id}-policy`, {
      count: presence.count,
      name: id,
      role: this.role.id,
      policy: attributeOf(document, presence, 'json'),
    });
    policy.overrideLogicalId(`${this.address}_${addressOf(id)}`);
  }
}
