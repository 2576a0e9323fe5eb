import { BUCKET_CORS, MEDIA_PREFIX } from '../../modules/media-store/defaults';
import { policyDocuments, resourcesOf, synthesizeBoth, synthesizeConstruct, theOnly, type StackJson } from './plan';

/** The media bucket alone: the site adds a second bucket (test/plan/site.test.ts) and its origins to CORS. */
const MEDIA_ONLY = { site: false } as const;

describe('MediaStore storage', () => {
  let plan: StackJson;
  beforeAll(() => {
    plan = synthesizeConstruct(MEDIA_ONLY);
  });

  it('blocks every kind of public access', () => {
    const block = theOnly(plan, 'aws_s3_bucket_public_access_block');
    expect(block.block_public_acls).toBe(true);
    expect(block.block_public_policy).toBe(true);
    expect(block.ignore_public_acls).toBe(true);
    expect(block.restrict_public_buckets).toBe(true);
    expect(block.bucket).toMatch(/^\$\{aws_s3_bucket\.[^.]+\.id\}$/);
  });

  it('enforces bucket ownership so ACLs are off', () => {
    expect(theOnly(plan, 'aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
  });

  it('encrypts objects with S3-managed keys and a bucket key by default', () => {
    const [rule] = theOnly(plan, 'aws_s3_bucket_server_side_encryption_configuration').rule;
    expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'AES256' });
    expect(rule.bucket_key_enabled).toBe(true);
  });

  it('switches to SSE-KMS and grants the key to uploads, files, shares and scrub (decrypt only), move and transcode when a KMS key is given', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = synthesizeConstruct({ ...MEDIA_ONLY, kmsKeyArn: key });
    const [rule] = theOnly(withKey, 'aws_s3_bucket_server_side_encryption_configuration').rule;
    expect(rule.apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: key });
    const kmsStatements = Object.values(policyDocuments(withKey)).flat().filter((s) => s.actions?.some((a) => a.startsWith('kms:')) && s.sid !== 'UseCatalogAndSecrets');
    expect(kmsStatements.map((s) => s.sid).sort()).toEqual(['DecryptAndCopyMedia', 'DecryptAndCopyMedia', 'DecryptMedia', 'DecryptMedia', 'EncryptMedia', 'ReadMediaWriteDerived', 'ReadOriginalsWriteCopies']);
    kmsStatements.forEach((s) => expect(s.resources).toEqual([key]));
  });

  it('lets the roles use the KMS key only through S3 in the bucket\'s region (kms:ViaService)', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = synthesizeConstruct({ kmsKeyArn: key });
    const kmsStatements = Object.values(policyDocuments(withKey)).flat().filter((s) => s.actions?.some((a) => a.startsWith('kms:')) && s.sid !== 'UseCatalogAndSecrets');
    expect(kmsStatements.length).toBeGreaterThanOrEqual(2);
    for (const s of kmsStatements) {
      expect(s.condition).toEqual([{ test: 'StringEquals', variable: 'kms:ViaService', values: ['s3.${aws_s3_bucket.media.region}.amazonaws.com'] }]);
    }
  });

  it('encrypts the catalog table and the three secrets with the same KMS key, which every role may use only through DynamoDB and Secrets Manager', () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const withKey = synthesizeConstruct({ ...MEDIA_ONLY, kmsKeyArn: key });
    expect(theOnly(withKey, 'aws_dynamodb_table').server_side_encryption).toEqual({ enabled: true, kms_key_arn: key });
    const secrets = resourcesOf(withKey, 'aws_secretsmanager_secret');
    expect(secrets.map(([name]) => name).sort()).toEqual(['cursor_key', 'jwt_signing_key', 'origin_verify']);
    for (const [, secret] of secrets) expect(secret.kms_key_id).toBe(key);
    const grants = Object.values(policyDocuments(withKey)).flat().filter((s) => s.sid === 'UseCatalogAndSecrets');
    expect(grants.length).toBe(resourcesOf(withKey, 'aws_lambda_function').length);
    for (const grant of grants) {
      expect(grant.resources).toEqual([key]);
      expect(grant.condition).toEqual([{
        test: 'StringEquals', variable: 'kms:ViaService',
        values: ['dynamodb.${aws_s3_bucket.media.region}.amazonaws.com', 'secretsmanager.${aws_s3_bucket.media.region}.amazonaws.com'],
      }]);
    }
    // Without a key: AWS's keys, no grant.
    expect(theOnly(plan, 'aws_dynamodb_table').server_side_encryption).toEqual({ enabled: true });
    for (const [, secret] of resourcesOf(plan, 'aws_secretsmanager_secret')) expect(secret.kms_key_id).toBeUndefined();
    expect(Object.values(policyDocuments(plan)).flat().filter((s) => s.sid === 'UseCatalogAndSecrets')).toEqual([]);
  });

  it('keeps object versions by default', () => {
    expect(theOnly(plan, 'aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
  });

  it('denies any request without TLS, and TLS older than 1.2', () => {
    const policy = theOnly(plan, 'aws_s3_bucket_policy');
    const docName = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(policy.policy)?.[1];
    const statements = policyDocuments(plan)[docName!];
    const insecure = statements.find((s) => s.sid === 'DenyInsecureTransport')!;
    expect(insecure.effect).toBe('Deny');
    expect(insecure.actions).toEqual(['s3:*']);
    expect(insecure.principals).toEqual([{ type: 'AWS', identifiers: ['*'] }]);
    expect(insecure.condition).toEqual([{ test: 'Bool', variable: 'aws:SecureTransport', values: ['false'] }]);
    const oldTls = statements.find((s) => s.sid === 'DenyOutdatedTls')!;
    expect(oldTls.effect).toBe('Deny');
    expect(oldTls.condition).toEqual([{ test: 'NumericLessThan', variable: 's3:TlsVersion', values: ['1.2'] }]);
    expect(oldTls.resources).toEqual(insecure.resources);
  });

  it('applies both TLS denials to the bucket itself and to every object in it', () => {
    const policy = theOnly(plan, 'aws_s3_bucket_policy');
    expect(policy.policy).toBe('${data.aws_iam_policy_document.media_tls_only.json}');
    expect(policy.bucket).toBe('${aws_s3_bucket.media.id}');
    const statements = policyDocuments(plan).media_tls_only;
    expect(statements.map((s) => s.sid)).toEqual(['DenyInsecureTransport', 'DenyOutdatedTls']);
    for (const s of statements) {
      expect(s.resources).toEqual(['${aws_s3_bucket.media.arn}', '${aws_s3_bucket.media.arn}/*']);
    }
  });

  it('puts the bucket policy after the public access block', () => {
    const policy = theOnly(plan, 'aws_s3_bucket_policy');
    expect(policy.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_public_access_block\./)]);
  });

  it('aborts incomplete multipart uploads, tiers media and expires old versions', () => {
    const lifecycle = theOnly(plan, 'aws_s3_bucket_lifecycle_configuration');
    const rules = Object.fromEntries((lifecycle.rule as StackJson[]).map((r) => [r.id, r]));
    expect(rules['abort-incomplete-multipart-uploads'].abort_incomplete_multipart_upload).toEqual([{ days_after_initiation: 7 }]);
    expect(rules['media-to-intelligent-tiering'].transition).toEqual([{ days: 0, storage_class: 'INTELLIGENT_TIERING' }]);
    expect(rules['media-to-intelligent-tiering'].filter).toEqual([{ prefix: MEDIA_PREFIX }]);
    expect(rules['expire-noncurrent-versions'].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
    Object.values(rules as Record<string, StackJson>).forEach((r) => expect(r.status).toBe('Enabled'));
    expect(lifecycle.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\./)]);
  });

  it('empties the trash prefix after trash_retention_days, its noncurrent versions a day later', () => {
    const ruleOf = (stack: StackJson) => (theOnly(stack, 'aws_s3_bucket_lifecycle_configuration').rule as StackJson[]).find((r) => r.id === 'empty-trash');
    expect(ruleOf(plan)).toEqual({
      id: 'empty-trash',
      status: 'Enabled',
      filter: [{ prefix: 'trash/' }],
      expiration: [{ days: 30 }],
      noncurrent_version_expiration: [{ noncurrent_days: 1 }],
    });
    expect(ruleOf(synthesizeConstruct({ ...MEDIA_ONLY, trashRetentionDays: 45 }))?.expiration).toEqual([{ days: 45 }]);
  });

  it('refuses, at plan time, noncurrent versions kept longer than the trash while versioning is on', () => {
    const { module } = synthesizeBoth();
    const [precondition] = module.resource.aws_s3_bucket_lifecycle_configuration.media.lifecycle.precondition as StackJson[];
    expect(precondition.condition).toBe('${(!var.versioning || (var.noncurrent_version_expiration_days <= var.trash_retention_days))}');
    expect(precondition.error_message).toMatch(/noncurrent_version_expiration_days must not exceed trash_retention_days/);
    expect(module.variable.trash_retention_days).toMatchObject({ default: 30, type: 'number' });
  });

  it('lets the files and move functions, and no other, read, write and delete under trash/', () => {
    const trashObjects = '${aws_s3_bucket.media.arn}/trash/*';
    const holders = Object.entries(policyDocuments(plan))
      .filter(([, statements]) => statements.some((st) => st.resources?.includes(trashObjects)))
      .map(([name]) => name)
      .sort();
    expect(holders).toEqual([expect.stringMatching(/files/), expect.stringMatching(/move/)]);
  });

  it('adds no archive tiers unless asked to', () => {
    expect(resourcesOf(plan, 'aws_s3_bucket_intelligent_tiering_configuration')).toHaveLength(0);
  });

  it('configures only the archive tiers that have a day count', () => {
    const tiered = synthesizeConstruct({ ...MEDIA_ONLY, archiveAccessDays: 90 });
    const config = theOnly(tiered, 'aws_s3_bucket_intelligent_tiering_configuration');
    expect(config.tiering).toEqual([{ access_tier: 'ARCHIVE_ACCESS', days: 90 }]);
    expect(config.filter).toEqual({ prefix: MEDIA_PREFIX });
    expect(config.status).toBe('Enabled');
  });

  it('has no CORS rule until origins are given', () => {
    expect(resourcesOf(plan, 'aws_s3_bucket_cors_configuration')).toHaveLength(0);
  });

  it('lets the given origins PUT and GET with the signed headers and read the ETag', () => {
    const withCors = synthesizeConstruct({ ...MEDIA_ONLY, corsAllowedOrigins: ['https://app.example.com'] });
    const [rule] = theOnly(withCors, 'aws_s3_bucket_cors_configuration').cors_rule;
    expect(rule.allowed_origins).toEqual(['https://app.example.com']);
    expect(rule.allowed_methods).toEqual(BUCKET_CORS.allowedMethods);
    expect(rule.allowed_methods).not.toContain('POST');
    expect(rule.allowed_headers).toEqual(expect.arrayContaining(['content-type', 'content-length', 'x-amz-meta-upload-id']));
    expect(rule.expose_headers).toEqual(['ETag']);
  });

  it('lets browsers send the headers a checksummed PUT or UploadPart signs, and nothing else', () => {
    const withCors = synthesizeConstruct({ ...MEDIA_ONLY, corsAllowedOrigins: ['https://app.example.com'] });
    const [rule] = theOnly(withCors, 'aws_s3_bucket_cors_configuration').cors_rule;
    expect([...rule.allowed_headers].sort()).toEqual(['content-length', 'content-type', 'if-none-match', 'x-amz-checksum-crc32c', 'x-amz-checksum-sha256', 'x-amz-meta-sha256', 'x-amz-meta-upload-id']);
    expect(rule.allowed_methods).toEqual(['GET', 'HEAD', 'PUT']);
  });

  it('notifies the sync function of created and removed media, after allowing S3 to invoke it', () => {
    const notification = theOnly(plan, 'aws_s3_bucket_notification');
    const [target] = notification.lambda_function;
    expect(target.events).toEqual(['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    expect(target.filter_prefix).toBe('media/');
    expect(target.lambda_function_arn).toBe('${aws_lambda_function.sync.arn}');
    const permission = plan.resource.aws_lambda_permission.s3_sync as StackJson;
    expect(notification.depends_on).toEqual(['aws_lambda_permission.s3_sync']);
    expect(permission.principal).toBe('s3.amazonaws.com');
    expect(permission.source_arn).toBe('${aws_s3_bucket.media.arn}');
    expect(permission.source_account).toBe('${data.aws_caller_identity.current.account_id}');
    expect(permission.function_name).toBe('${aws_lambda_function.sync.function_name}');
  });
});
