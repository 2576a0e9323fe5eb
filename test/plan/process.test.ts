import { byPath, nameByPath, policyDocuments, resourcesOf, synthesizeBoth, theOnly, type Statement, type StackJson } from './plan';

describe('MediaStore process function (thumbnails, previews, posters, metadata)', () => {
  let plan: StackJson;
  const fn = () => byPath(plan, 'aws_lambda_function', 'functions/process/function');
  const bucketArn = () => `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}`;
  const tableArn = () => `\${aws_dynamodb_table.${nameByPath(plan, 'aws_dynamodb_table', 'catalog/table')}.arn}`;
  const statements = (): Statement[] =>
    policyDocuments(plan).process ?? [];
  const variable = (name: string): StackJson => (plan.variable as Record<string, StackJson>)[name];

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  describe('deployment', () => {
    it('deploys its bundle (over the 50 MB direct-upload limit) through an S3 object under artifacts/ of the media bucket, at stable addresses', () => {
      const object = plan.resource.aws_s3_object.process_bundle;
      expect(object.bucket).toBe(`\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.id}`);
      expect(object.key).toBe('artifacts/process.zip');
      expect(object.source).toMatch(/^\$\{path\.module\}\/assets\/[^/]+\/[0-9A-F]{32}\/process\.zip$/);
      expect(object.source_hash).toBe(`\${filemd5("${object.source}")}`);
      expect(fn().s3_bucket).toBe('${aws_s3_object.process_bundle.bucket}');
      expect(fn().s3_key).toBe('${aws_s3_object.process_bundle.key}');
      expect(fn().filename).toBeUndefined();
      // A new zip redeploys the function: its hash comes from the very file uploaded.
      expect(fn().source_code_hash).toBe(`\${filebase64sha256("${object.source}")}`);
    });

    it('runs with its own memory (1,536 MB, HEIC needs at least 1 GB), timeout and reserved concurrency variables', () => {
      expect(fn().memory_size).toBe('${var.process_memory_mb}');
      expect(fn().timeout).toBe('${var.process_timeout_seconds}');
      expect(fn().reserved_concurrent_executions).toBe('${var.process_reserved_concurrency}');
      expect(variable('process_memory_mb').default).toBe(1536);
      expect(variable('process_memory_mb').validation[0].condition).toContain('var.process_memory_mb >= 512');
      expect(variable('process_timeout_seconds').default).toBe(60);
      expect(variable('process_reserved_concurrency').default).toBe(-1);
    });

    it('renders video posters unless video_posters is off, and records GPS only when expose_gps is on', () => {
      expect(fn().environment.variables).toMatchObject({ VIDEO_POSTERS: '${var.video_posters}', EXPOSE_GPS: '${var.expose_gps}' });
      expect(variable('video_posters').default).toBe(true);
      expect(variable('expose_gps').default).toBe(false);
    });
  });

  describe('invocation', () => {
    it('is invoked asynchronously by the sync function, which may invoke nothing else (the other invokers: files and move itself of move, the video workflow of transcode)', () => {
      const sync = byPath(plan, 'aws_lambda_function', 'functions/sync/function');
      expect(sync.environment.variables.PROCESS_FUNCTION_NAME).toBe('${var.name_prefix}-process');
      expect(fn().function_name).toBe('${var.name_prefix}-process');
      const invoke = policyDocuments(plan).sync_invoke_process;
      expect(invoke).toEqual([
        { sid: 'InvokeProcessAsynchronously', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: [`\${aws_lambda_function.${nameByPath(plan, 'aws_lambda_function', 'functions/process/function')}.arn}`] },
      ]);
      expect(plan.resource.aws_iam_role_policy.sync_invoke_process.role).toBe(`\${aws_iam_role.${nameByPath(plan, 'aws_iam_role', 'functions/sync/role')}.id}`);
      const invokers = Object.values(policyDocuments(plan)).flat().filter((s) => s.actions?.includes('lambda:InvokeFunction'));
      expect(Object.fromEntries(invokers.map((s) => [s.sid, s.resources]))).toEqual({
        InvokeProcessAsynchronously: [`\${aws_lambda_function.${nameByPath(plan, 'aws_lambda_function', 'functions/process/function')}.arn}`],
        StartMoveJobs: ['${aws_lambda_function.move.arn}'],
        HandOverLongTrashJobs: ['${aws_lambda_function.move.arn}'],
        InvokeTranscode: ['${aws_lambda_function.transcode.arn}', '${aws_lambda_function.transcode.arn}:*'],
      });
      expect(invokers).toHaveLength(4);
    });

    it('retries failed requests as process_max_retry_attempts says (0-2), then sends them to the dead-letter queue', () => {
      const config = plan.resource.aws_lambda_function_event_invoke_config.process_invoke_config;
      expect(config.function_name).toBe(`\${aws_lambda_function.${nameByPath(plan, 'aws_lambda_function', 'functions/process/function')}.function_name}`);
      expect(config.maximum_retry_attempts).toBe('${var.process_max_retry_attempts}');
      expect(config.destination_config).toEqual({ on_failure: { destination: `\${aws_sqs_queue.${nameByPath(plan, 'aws_sqs_queue', 'failed-events/queue')}.arn}` } });
      expect(variable('process_max_retry_attempts').validation[0].condition).toContain('var.process_max_retry_attempts >= 0 && var.process_max_retry_attempts <= 2');
    });
  });

  describe('role', () => {
    it('reads originals, writes and deletes only derived images, lists only their prefix, updates only file rows, dead-letters and starts video copies', () => {
      const grants = statements()
        .filter((s) => !['WriteOwnLogs', 'WriteTraces'].includes(s.sid ?? ''))
        .flatMap((s) => (s.actions ?? []).flatMap((a) => (s.resources ?? []).map((r) => `${a} on ${r}`)))
        .sort();
      expect(grants).toEqual(
        [
          `s3:GetObject on ${bucketArn()}/media/*`,
          `s3:PutObject on ${bucketArn()}/derived/*`,
          `s3:DeleteObject on ${bucketArn()}/derived/*`,
          `s3:ListBucket on ${bucketArn()}`,
          `dynamodb:GetItem on ${tableArn()}`,
          `dynamodb:UpdateItem on ${tableArn()}`,
          // A date taken found moves the file on the timeline: its counters (TIMELINE#), with the row.
          `dynamodb:UpdateItem on ${tableArn()}`,
          `sqs:SendMessage on \${aws_sqs_queue.${nameByPath(plan, 'aws_sqs_queue', 'failed-events/queue')}.arn}`,
          'states:StartExecution on ${aws_sfn_state_machine.video.arn}',
        ].sort(),
      );
      expect(statements().find((s) => s.sid === 'ListDerivedImages')!.condition).toEqual([{ test: 'StringLike', variable: 's3:prefix', values: ['derived/*'] }]);
      expect(statements().find((s) => s.sid === 'RecordProcessingResults')!.condition).toEqual([
        { test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*'] },
      ]);
      // Never writes or deletes originals, never puts or deletes whole rows.
      expect(grants.filter((g) => /s3:(PutObject|DeleteObject) on .*\/media\/\*/.test(g) || /dynamodb:(PutItem|DeleteItem)/.test(g))).toEqual([]);
    });
  });

  describe('derived images', () => {
    it('live under derived/, outside the media/ prefix whose changes notify the sync function', () => {
      const notification = theOnly(plan, 'aws_s3_bucket_notification');
      expect(notification.lambda_function.map((f: StackJson) => f.filter_prefix)).toEqual(['media/']);
    });

    it('keep overwritten versions one day only (they can be made again)', () => {
      const lifecycle = theOnly(plan, 'aws_s3_bucket_lifecycle_configuration');
      const rule = (lifecycle.rule as StackJson[]).find((r) => r.id === 'expire-noncurrent-derived-images')!;
      expect(rule).toMatchObject({ status: 'Enabled', filter: [{ prefix: 'derived/' }], noncurrent_version_expiration: [{ noncurrent_days: 1 }] });
    });
  });

  it('declares the stable addresses of what it adds', () => {
    expect(Object.keys(plan.resource.aws_s3_object)).toContain('process_bundle');
    expect(resourcesOf(plan, 'aws_lambda_function_event_invoke_config').map(([name]) => name)).toContain('process_invoke_config');
    expect(Object.keys(plan.resource.aws_iam_role_policy)).toContain('sync_invoke_process');
  });
});
