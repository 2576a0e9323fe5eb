import { SynthesizedPlan } from '../../local/plan';
import { FUNCTION_ENV } from '../../contract/env';
import { BUNDLE_HANDLER, FUNCTION_NAMES, FUNCTION_TAG, type FunctionName } from '../../contract/functions';
import { WILDCARD_ONLY_ACTIONS } from '../../modules/media-store/defaults';
import { byPath, nameByPath, policyDocuments, resourcesOf, synthesizeBoth, type Statement, type StackJson } from './plan';

describe('MediaStore functions', () => {
  let plan: StackJson;
  // The move function is built by MoveJobs (modules/media-store/move-jobs.ts), the others by Functions.
  // The transcoding function by VideoWorkflow (modules/media-store/video-workflow.ts).
  const pathOf = (name: FunctionName, part: string) => (name === 'move' ? `move-jobs/move/${part}` : name === 'transcode' ? `video-workflow/transcode/${part}` : `functions/${name}/${part}`);
  const resourceName = (name: FunctionName, type: string, part: string) => nameByPath(plan, type, pathOf(name, part));
  const fn = (name: FunctionName) => byPath(plan, 'aws_lambda_function', pathOf(name, 'function'));
  // Each function's policy document has the function's own address: data.aws_iam_policy_document.<name>.
  const statementsOf = (name: FunctionName): Statement[] => policyDocuments(plan)[name] ?? [];

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  it('deploys exactly the contract functions, each tagged with its name', () => {
    // The tags merge the module's tags variable under the function's own (the local stack reads them so too).
    const local = new SynthesizedPlan('.', plan as never);
    const tagged = resourcesOf(plan, 'aws_lambda_function').map(([, f]) => (local.resolve(f.tags) as Record<string, string>)[FUNCTION_TAG]);
    expect(tagged.sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  it.each(FUNCTION_NAMES)('runs %s on nodejs22.x with the bundle handler and the configured architecture', (name) => {
    expect(fn(name).runtime).toBe('nodejs22.x');
    expect(fn(name).handler).toBe(BUNDLE_HANDLER);
    expect(fn(name).architectures).toEqual(['${var.architecture}']);
  });

  it.each(FUNCTION_NAMES)('gives %s exactly the environment its config reads', (name) => {
    const env = fn(name).environment.variables as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual([...FUNCTION_ENV[name], 'NODE_OPTIONS'].sort());
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps');
    for (const value of Object.values(env)) {
      // Forms the local stack resolves: literals, variables, join or jsonencode of a variable, attributes,
      // and the identity provider's: the Cognito pool's values or the oidc_* variable (local: never the pool).
      expect(value).toMatch(
        /^([^$]*|\$\{var\.[a-z_]+\}(-[a-z]+)?|\$\{join\("[, ]", var\.[a-z_]+\)\}|\$\{jsonencode\(var\.[a-z_]+\)\}|\$\{aws_(dynamodb_table|s3_bucket|sns_topic|secretsmanager_secret|sfn_state_machine)\.[^.]+\.(name|bucket|arn)\}|\$\{(join\(" ", |jsonencode\(|tostring\()?var\.cognito_user_pool \? .+ : var\.oidc_[a-z_]+\)?\})$/,
      );
    }
  });

  it.each(FUNCTION_NAMES.filter((n) => n !== 'process' && n !== 'transcode'))('loads the %s bundle relative to the module, hashed from the same file', (name) => {
    const { filename, source_code_hash } = fn(name);
    expect(filename).toMatch(new RegExp(`^\\$\\{path\\.module\\}/assets/[^/]+/[0-9A-F]{32}/${name}\\.zip$`));
    expect(source_code_hash).toBe(`\${filebase64sha256("${filename}")}`);
  });

  it.each(FUNCTION_NAMES)('writes %s logs to its own log group with retention', (name) => {
    const groupName = resourceName(name, 'aws_cloudwatch_log_group', 'logs');
    const group = plan.resource.aws_cloudwatch_log_group[groupName];
    expect(group.retention_in_days).toBe('${var.log_retention_days}');
    expect(group.name).toBe(`/aws/lambda/\${var.name_prefix}-${name}`);
    expect(fn(name).logging_config.log_group).toBe(`\${aws_cloudwatch_log_group.${groupName}.name}`);
    const logs = statementsOf(name).find((s) => s.actions?.some((a) => a.startsWith('logs:')))!;
    expect(logs.actions).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(logs.resources).toEqual([`\${aws_cloudwatch_log_group.${groupName}.arn}:log-stream:*`]);
  });

  it.each(FUNCTION_NAMES)('gives %s a role of its own that only Lambda can assume', (name) => {
    const roleName = resourceName(name, 'aws_iam_role', 'role');
    expect(fn(name).role).toBe(`\${aws_iam_role.${roleName}.arn}`);
    const role = plan.resource.aws_iam_role[roleName];
    const assume = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(role.assume_role_policy)![1];
    expect(policyDocuments(plan)[assume]).toEqual([
      { effect: 'Allow', actions: ['sts:AssumeRole'], principals: [{ type: 'Service', identifiers: ['lambda.amazonaws.com'] }] },
    ]);
  });

  it('grants no wildcard action and no wildcard resource except where AWS has no ARN', () => {
    for (const [doc, statements] of Object.entries(policyDocuments(plan))) {
      for (const s of statements.filter((st) => st.effect === 'Allow')) {
        for (const action of s.actions ?? []) expect({ doc, action }).toEqual({ doc, action: expect.not.stringContaining('*') });
        if (s.resources?.includes('*')) {
          expect(s.resources).toEqual(['*']);
          expect([...WILDCARD_ONLY_ACTIONS]).toEqual(expect.arrayContaining(s.actions ?? []));
        }
      }
    }
  });

  const table = () => `\${aws_dynamodb_table.${nameByPath(plan, 'aws_dynamodb_table', 'catalog/table')}.arn}`;
  const media = () => `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}/media/*`;
  const secret = () => `\${aws_secretsmanager_secret.${nameByPath(plan, 'aws_secretsmanager_secret', 'signing-secret/secret')}.arn}`;
  const originSecret = () => `\${aws_secretsmanager_secret.${nameByPath(plan, 'aws_secretsmanager_secret', 'origin-secret/secret')}.arn}`;
  const cursorSecret = () => `\${aws_secretsmanager_secret.${nameByPath(plan, 'aws_secretsmanager_secret', 'cursor-secret/secret')}.arn}`;
  const topic = () => `\${aws_sns_topic.${nameByPath(plan, 'aws_sns_topic', 'notifications/upload-processed')}.arn}`;
  /** Everything a function may do besides logs and traces, as `action on resource`. */
  const grants = (name: FunctionName) =>
    statementsOf(name)
      .filter((s) => !['WriteOwnLogs', 'WriteTraces'].includes(s.sid ?? ''))
      .flatMap((s) => (s.actions ?? []).flatMap((a) => (s.resources ?? []).map((r) => `${a} on ${r}`)))
      .sort();

  it('lets the authorizer read the signing secret, the users\' session versions and the session families, nothing else', () => {
    expect(grants('authorizer')).toEqual([`dynamodb:GetItem on ${table()}`, `secretsmanager:GetSecretValue on ${secret()}`]);
    const profiles = statementsOf('authorizer').find((s) => s.sid === 'ReadSessionVersions')!;
    expect(profiles.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['USER#*', 'SESSION#*'] }]);
    expect(fn('authorizer').environment.variables.TABLE_NAME).toBeDefined();
  });

  it('lets auth touch only user and session items in the table, read the secret and put its first version', () => {
    expect(grants('auth')).toEqual(
      [
        ...['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        `secretsmanager:GetSecretValue on ${secret()}`,
        `secretsmanager:PutSecretValue on ${secret()}`,
        `secretsmanager:GetSecretValue on ${originSecret()}`,
      ].sort(),
    );
    const users = statementsOf('auth').find((s) => s.sid === 'ManageUsersAndLoginLimiters')!;
    expect(users.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['USER#*', 'SESSION#*'] }]);
  });

  it('gives access tokens 5 minutes and refresh tokens 30 days by default, from their variables', () => {
    expect(fn('auth').environment.variables.TOKEN_TTL_SECONDS).toBe('${var.token_ttl_seconds}');
    expect(fn('auth').environment.variables.REFRESH_TOKEN_TTL_SECONDS).toBe('${var.refresh_token_ttl_seconds}');
  });

  it('lets uploads put media objects, list and abort their multipart uploads, and manage upload sessions', () => {
    expect(grants('uploads')).toEqual(
      [
        ...['PutObject', 'AbortMultipartUpload', 'ListMultipartUploadParts'].map((a) => `s3:${a} on ${media()}`),
        ...['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // A drop link's creator, without the password hash (see the partition tests).
        `dynamodb:GetItem on ${table()}`,
        // Drop links: the share, its counters and log, the guest's uploads and reservations.
        ...['GetItem', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // The origin secret: a guest's address behind the site's CloudFront.
        `secretsmanager:GetSecretValue on ${originSecret()}`,
      ].sort(),
    );
  });

  it('lets uploads write drop links\' shares, counters, logs, guests and reservations only, never delete them', () => {
    const drop = statementsOf('uploads').find((s) => s.sid === 'DropLinkSharesAndReservations')!;
    expect(drop.actions).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(drop.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARE#*', 'SHARES#', 'SHARELOG#*', 'SHAREUP#*', 'UPLOAD#*'] }]);
  });

  it('lets uploads query only drop-link guests\' uploads and sessions', () => {
    const drop = statementsOf('uploads').find((s) => s.sid === 'DropLinkGuestsAndCreators')!;
    expect(drop.actions).toEqual(['dynamodb:Query', 'dynamodb:BatchGetItem']);
    expect(drop.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHAREUP#*', 'UPLOAD#*'] }]);
  });

  it('gives uploads neither read nor delete of media objects, nor listing of the bucket', () => {
    const s3 = grants('uploads').filter((g) => g.startsWith('s3:'));
    for (const action of ['s3:GetObject', 's3:DeleteObject', 's3:ListBucket', 's3:ListBucketMultipartUploads']) {
      expect(s3.filter((g) => g.startsWith(`${action} `))).toEqual([]);
    }
  });

  it('tells uploads its limits from their variables', () => {
    // Also what the terraform tests cannot show: the map holds the origin secret's ARN, unknown until apply.
    expect(fn('uploads').environment.variables).toMatchObject({
      MULTIPART_THRESHOLD_BYTES: '${var.multipart_threshold_bytes}',
      MAX_UPLOAD_BYTES: '${var.max_upload_bytes}',
      ALLOWED_CONTENT_TYPES: '${join(",", var.allowed_content_types)}',
      UPLOAD_URL_TTL_SECONDS: '${var.upload_url_ttl_seconds}',
      LOG_LEVEL: '${var.log_level}',
    });
  });

  it('bounds the multipart threshold by S3\'s part and single-PUT limits, and uploads by its object limit', () => {
    const threshold = plan.variable.multipart_threshold_bytes;
    expect(threshold.default).toBe(64 * 1024 ** 2);
    expect(threshold.validation[0].condition).toContain(`var.multipart_threshold_bytes >= ${5 * 1024 ** 2} && var.multipart_threshold_bytes <= ${5 * 1024 ** 3}`);
    expect(plan.variable.max_upload_bytes.validation[0].condition).toContain(`var.max_upload_bytes <= ${5 * 1024 ** 4}`);
  });

  it('lets files read, copy and delete media and trash objects, read derived images (to sign their URLs) and carry them with a move, query the table and its type and date-taken indexes, write file rows, sessions, jobs and trash entries, read and create the cursor key and start move jobs', () => {
    const bucket = `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}`;
    expect(grants('files')).toEqual(
      [
        ...['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${media()}`),
        // Deleted files' bytes: copied to trash/, back on restore, deleted forever.
        ...['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${bucket}/trash/*`),
        // Trash entries (see the partition tests).
        ...['PutItem', 'DeleteItem'].map((a) => `dynamodb:${a} on ${table()}`),
        `s3:GetObject on ${bucket}/derived/*`,
        // A move copies the derived objects to the new key's prefix (and tidies it).
        ...['PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${bucket}/derived/*`),
        `s3:ListBucket on ${bucket}`,
        ...['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // Shares: their own statement, on their own keys (see the test below).
        ...['PutItem', 'UpdateItem', 'DeleteItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // A share's creator, without the password hash (see the partition tests).
        `dynamodb:GetItem on ${table()}`,
        `dynamodb:Query on ${table()}/index/byType`,
        `dynamodb:Scan on ${table()}/index/byType`,
        `dynamodb:Query on ${table()}/index/byTaken`,
        `dynamodb:Query on ${table()}/index/byUploaded`,
        // Duplicates: POST /files/exists and GET /files/duplicates.
        `dynamodb:Query on ${table()}/index/byContent`,
        `dynamodb:Scan on ${table()}/index/byContent`,
        // The timeline: reads its counters, and adds to them with the file rows it writes.
        `dynamodb:Query on ${table()}`,
        `dynamodb:UpdateItem on ${table()}`,
        `secretsmanager:GetSecretValue on ${cursorSecret()}`,
        `secretsmanager:PutSecretValue on ${cursorSecret()}`,
        'lambda:InvokeFunction on ${aws_lambda_function.move.arn}',
      ].sort(),
    );
  });

  it('lets files scan only the type index (file rows alone, only the attributes the storage figures add up: size, type, uploader, derived bytes, the video summary) and the content index (which projects only where each file is), and the scrub the type index', () => {
    const scans = FUNCTION_NAMES.flatMap((name) => statementsOf(name).filter((s) => s.actions?.includes('dynamodb:Scan')).map((s) => ({ name, s })));
    // The scrub's scan, of the type index with its own attributes, is checked with its grants below.
    expect(scans.map(({ name, s }) => `${name} ${s.sid}`)).toEqual(['files TallyStorageFromTypeIndex', 'files FindFilesByContent', 'scrub ListFilesFromTypeIndex']);
    expect(scans[1]!.s.resources).toEqual([`${table()}/index/byContent`]);
    const tally = scans[0]!.s;
    expect(tally.actions).toEqual(['dynamodb:Scan']);
    expect(tally.resources).toEqual([`${table()}/index/byType`]);
    const attributes = tally.condition!.find((c) => c.variable === 'dynamodb:Attributes')!;
    expect(attributes.test).toBe('ForAllValues:StringEquals');
    expect(attributes.values).toEqual(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'size', 'fileType', 'contentType', 'uploadedBy', 'status', 'derivedBytes', 'video']);
    expect(tally.condition).toContainEqual({ test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] });
  });

  it('lets files write only file rows, upload sessions, jobs, trash entries and shares, never users, and delete only share rows and trash entries', () => {
    const writes = statementsOf('files').find((s) => s.sid === 'WriteFileRowsAndMoveSessions')!;
    expect(writes.actions).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(writes.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*', 'UPLOAD#*', 'JOB#*'] }]);
    const shares = statementsOf('files').find((s) => s.sid === 'ManageShares')!;
    expect(shares.actions).toEqual(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    expect(shares.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARE#*', 'SHARES#', 'SHARELOG#*'] }]);
    const trash = statementsOf('files').find((s) => s.sid === 'RecordTrashEntries')!;
    expect(trash.actions).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
    expect(trash.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['TRASH#'] }]);
    expect(statementsOf('files').filter((s) => s.actions?.includes('dynamodb:DeleteItem')).map((s) => s.sid)).toEqual(['RecordTrashEntries', 'ManageShares']);
  });

  it('bounds share lifetimes by share_max_days and keeps "never" off by default', () => {
    expect(fn('files').environment.variables.SHARE_MAX_DAYS).toBe('${var.share_max_days}');
    expect(fn('files').environment.variables.SHARE_ALLOW_NEVER).toBe('${var.share_allow_never}');
    expect(plan.variable.share_allow_never.default).toBe(false);
    expect(plan.variable.share_max_days.default).toBe(30);
  });

  it('lets sync read media metadata, tell deleted from forbidden, write the catalog, publish to the topic and dead-letter failed events', () => {
    const bucket = `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}`;
    const queue = `\${aws_sqs_queue.${nameByPath(plan, 'aws_sqs_queue', 'failed-events/queue')}.arn}`;
    expect(grants('sync')).toEqual(
      [
        `s3:GetObject on ${media()}`,
        `s3:ListBucket on ${bucket}`,
        ...['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // A drop upload's arrival settles its reservation and, when given back already, the owner row's counters.
        ...['GetItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // The timeline counters, with the file rows.
        `dynamodb:UpdateItem on ${table()}`,
        `sns:Publish on ${topic()}`,
        `sqs:SendMessage on ${queue}`,
      ].sort(),
    );
    const arrivals = statementsOf('sync').find((s) => s.sid === 'SettleDropArrivals')!;
    expect(arrivals.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARES#', 'UPLOAD#*'] }]);
  });

  it('lets sweep query only the due index, settle owner rows and reservations, and publish to the topic: no S3, no scan, no delete', () => {
    expect(grants('sweep')).toEqual(
      [`dynamodb:Query on ${table()}/index/byDue`, ...['GetItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`), `sns:Publish on ${topic()}`].sort(),
    );
    const settle = statementsOf('sweep').find((s) => s.sid === 'SettleRemindersAndReservations')!;
    expect(settle.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARES#', 'UPLOAD#*'] }]);
    expect(fn('sweep').environment.variables.SHARE_EXPIRY_REMINDERS).toBe('${var.share_expiry_reminders}');
    expect(plan.variable.share_expiry_reminders).toMatchObject({ type: 'bool', default: true });
  });

  it('runs sweep hourly from an EventBridge rule that alone may invoke it', () => {
    expect(plan.resource.aws_cloudwatch_event_rule.sweep).toMatchObject({ name: '${var.name_prefix}-sweep', schedule_expression: 'rate(1 hour)' });
    expect(plan.resource.aws_cloudwatch_event_target.sweep).toMatchObject({ rule: '${aws_cloudwatch_event_rule.sweep.name}', arn: '${aws_lambda_function.sweep.arn}' });
    expect(plan.resource.aws_cloudwatch_event_target.sweep.input).toBeUndefined();
    expect(plan.resource.aws_lambda_permission.sweep_schedule).toMatchObject({
      action: 'lambda:InvokeFunction',
      function_name: '${aws_lambda_function.sweep.function_name}',
      principal: 'events.amazonaws.com',
      source_arn: '${aws_cloudwatch_event_rule.sweep.arn}',
    });
  });

  it('lets scrub read media objects, scan file rows from the type index with its attributes only, mark file rows and keep its cursor, and alert the ops topic: no write to the bucket, no delete', () => {
    const ops = `\${aws_sns_topic.ops.arn}`;
    expect(grants('scrub')).toEqual(
      [
        `s3:GetObject on ${media()}`,
        `dynamodb:Scan on ${table()}/index/byType`,
        `dynamodb:UpdateItem on ${table()}`,
        ...['GetItem', 'PutItem'].map((a) => `dynamodb:${a} on ${table()}`),
        `sns:Publish on ${ops}`,
      ].sort(),
    );
    const scan = statementsOf('scrub').find((s) => s.sid === 'ListFilesFromTypeIndex')!;
    expect(scan.condition).toEqual([
      { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'key', 'size', 'etag', 'sha256', 'corruptAt'] },
      { test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] },
    ]);
    const mark = statementsOf('scrub').find((s) => s.sid === 'MarkFileRows')!;
    expect(mark.condition).toEqual([
      { test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*'] },
      { test: 'ForAllValues:StringEquals', variable: 'dynamodb:Attributes', values: ['pk', 'sk', 'etag', 'verifiedAt', 'corruptAt', 'corruptSha256', 'sha256', 'sha256Source', 'gsi4pk', 'gsi4sk'] },
    ]);
    const cursor = statementsOf('scrub').find((s) => s.sid === 'KeepCursor')!;
    expect(cursor.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SCRUB#'] }]);
    expect(fn('scrub').environment.variables).toMatchObject({ SCRUB_PERIOD_DAYS: '${var.scrub_period_days}', OPS_TOPIC_ARN: ops });
    expect(plan.variable.scrub_period_days).toMatchObject({ type: 'number', default: 30 });
    // Objects are read whole: Lambda's longest timeout, a run stops starting files a minute before it.
    expect(fn('scrub')).toMatchObject({ timeout: 900, memory_size: 1024 });
  });

  it('runs scrub hourly from an EventBridge rule that alone may invoke it', () => {
    expect(plan.resource.aws_cloudwatch_event_rule.scrub).toMatchObject({ name: '${var.name_prefix}-scrub', schedule_expression: 'rate(1 hour)' });
    expect(plan.resource.aws_cloudwatch_event_target.scrub).toMatchObject({ rule: '${aws_cloudwatch_event_rule.scrub.name}', arn: '${aws_lambda_function.scrub.arn}' });
    expect(plan.resource.aws_lambda_permission.scrub_schedule).toMatchObject({
      action: 'lambda:InvokeFunction',
      function_name: '${aws_lambda_function.scrub.function_name}',
      principal: 'events.amazonaws.com',
      source_arn: '${aws_cloudwatch_event_rule.scrub.arn}',
    });
  });

  it('lets move copy, verify and delete media and trash objects, carry derived objects and write only file rows, folder markers, sessions, trash entries and jobs', () => {
    const bucket = `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}`;
    expect(grants('move')).toEqual(
      [
        ...['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${media()}`),
        ...['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${bucket}/trash/*`),
        // A moved file's derived objects, copied to the new key's prefix.
        ...['GetObject', 'PutObject', 'AbortMultipartUpload', 'DeleteObject'].map((a) => `s3:${a} on ${bucket}/derived/*`),
        `s3:ListBucket on ${bucket}`,
        ...['GetItem', 'PutItem', 'UpdateItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // Bulk trash jobs: a folder's files and subfolders, restored files' and moves' sessions, the trash entries.
        ...['Query', 'GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map((a) => `dynamodb:${a} on ${table()}`),
        // The timeline counters, with the file rows.
        `dynamodb:UpdateItem on ${table()}`,
      ].sort(),
    );
    const rows = statementsOf('move').find((s) => s.sid === 'ReadAndWriteFileRowsAndJobs')!;
    expect(rows.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*', 'JOB#*'] }]);
    const trash = statementsOf('move').find((s) => s.sid === 'RunTrashJobs')!;
    expect(trash.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*', 'UPLOAD#*', 'TRASH#'] }]);
  });

  it('gives move Lambda\'s 15 minutes and two retries of a failed run, and tells files its name and the job threshold', () => {
    expect(fn('move').timeout).toBe(900);
    // A trash job longer than a run starts its next run: move may invoke itself and no other function.
    expect(policyDocuments(plan).move_invoke_itself).toEqual([expect.objectContaining({ sid: 'HandOverLongTrashJobs', effect: 'Allow', actions: ['lambda:InvokeFunction'], resources: ['${aws_lambda_function.move.arn}'] })]);
    expect(plan.resource.aws_iam_role_policy.move_invoke_itself).toMatchObject({ role: '${aws_iam_role.move.id}', policy: '${data.aws_iam_policy_document.move_invoke_itself.json}' });
    expect(plan.resource.aws_lambda_function_event_invoke_config.move).toMatchObject({ function_name: '${aws_lambda_function.move.function_name}', maximum_retry_attempts: 2 });
    expect(fn('files').environment.variables).toMatchObject({ MOVE_FUNCTION_NAME: '${var.name_prefix}-move', MOVE_JOB_THRESHOLD_BYTES: '${var.move_job_threshold_bytes}' });
    expect(fn('move').function_name).toBe('${var.name_prefix}-move');
    expect(plan.variable.move_job_threshold_bytes.default).toBe(128 * 1024 ** 2);
  });

  it('gives no function but sync and process (the asynchronously invoked ones) access to the dead-letter queue', () => {
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'sync' && n !== 'process')) {
      expect(grants(name).filter((g) => g.startsWith('sqs:'))).toEqual([]);
    }
  });

  it('lets the anonymous share routes read shares and what they show, sign object reads, log visits and read the origin secret: no key, no writes to files, users or uploads', () => {
    const bucket = `\${aws_s3_bucket.${nameByPath(plan, 'aws_s3_bucket', 'storage/bucket')}.arn}`;
    expect(grants('shares')).toEqual(
      [
        `s3:GetObject on ${media()}`,
        `s3:GetObject on ${bucket}/derived/*`,
        ...['GetItem', 'BatchGetItem', 'Query'].map((a) => `dynamodb:${a} on ${table()}`),
        // A share's creator, without the password hash.
        `dynamodb:GetItem on ${table()}`,
        ...['PutItem', 'UpdateItem', 'DeleteItem'].map((a) => `dynamodb:${a} on ${table()}`),
        `secretsmanager:GetSecretValue on ${originSecret()}`,
      ].sort(),
    );
    const reads = statementsOf('shares').find((s) => s.sid === 'ReadSharesAndSharedFiles')!;
    expect(reads.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARE#*', 'SHARES#', 'FOLDER#*'] }]);
    const writes = statementsOf('shares').find((s) => s.sid === 'LogVisitsAndCountPasswordAttempts')!;
    expect(writes.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['SHARE#*', 'SHARES#', 'SHARELOG#*'] }]);
  });

  it('serves every anonymous view-share route from the shares function, whose role cannot read the JWT key (nor the cursor key)', () => {
    const integrations = resourcesOf(plan, 'aws_apigatewayv2_route').filter(([, r]) => /^(GET|POST) \/public\/shares\/\{token\}(\/unlock|\/links|\/files\/\{id\}\/download)?$/.test(String(r.route_key)));
    expect(integrations).toHaveLength(4);
    for (const [, route] of integrations) {
      const integration = /aws_apigatewayv2_integration\.([^.]+)\.id/.exec(String(route.target))![1];
      expect(plan.resource.aws_apigatewayv2_integration[integration].integration_uri).toBe('${aws_lambda_function.shares.invoke_arn}');
    }
    // The only secret it reads is the origin secret (which mints nothing).
    expect(grants('shares').filter((g) => g.startsWith('secretsmanager:') || g.startsWith('kms:'))).toEqual([`secretsmanager:GetSecretValue on ${originSecret()}`]);
    expect(JSON.stringify(statementsOf('shares'))).not.toContain(secret());
    expect(JSON.stringify(statementsOf('shares'))).not.toContain(cursorSecret());
    expect(Object.keys(fn('shares').environment.variables)).not.toContain('JWT_SECRET_ARN');
    // The files function keeps the signed-in routes and no longer holds the JWT key either.
    expect(JSON.stringify(statementsOf('files'))).not.toContain(secret());
  });

  it('creates the signing, cursor and origin secrets without any value: no version, no random provider, nothing in state', () => {
    expect(resourcesOf(plan, 'aws_secretsmanager_secret').map(([name]) => name).sort()).toEqual(['cursor_key', 'jwt_signing_key', 'origin_verify']);
    expect(resourcesOf(plan, 'aws_secretsmanager_secret_version')).toEqual([]);
    expect(Object.keys(plan.resource).filter((type) => type.startsWith('random_'))).toEqual([]);
    expect(Object.keys(plan.terraform.required_providers)).toEqual(['aws']);
  });

  it('lets no function but auth write the signing secret, and none but files the cursor key', () => {
    const writes = (name: FunctionName) => grants(name).filter((g) => /secretsmanager:(PutSecretValue|UpdateSecret|UpdateSecretVersionStage)/.test(g));
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'auth' && n !== 'files')) expect(writes(name)).toEqual([]);
    expect(writes('auth')).toEqual([`secretsmanager:PutSecretValue on ${secret()}`]);
    expect(writes('files')).toEqual([`secretsmanager:PutSecretValue on ${cursorSecret()}`]);
  });

  describe('catalog partitions (dynamodb:LeadingKeys)', () => {
    const tableStatements = (name: FunctionName) =>
      statementsOf(name).filter((s) => s.actions?.some((a) => a.startsWith('dynamodb:')) && s.resources?.includes(table()));

    const leadingKeys = (s: Statement) => s.condition?.find((c) => c.variable === 'dynamodb:LeadingKeys')?.values ?? [];

    it.each(['uploads', 'files', 'shares', 'sync', 'move', 'sweep', 'scrub'] as const)('keeps %s to the partitions it needs, every grant conditioned on them', (name) => {
      const statements = tableStatements(name);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) expect({ sid: s.sid, leadingKeys: leadingKeys(s).length > 0 }).toEqual({ sid: s.sid, leadingKeys: true });
    });

    it.each(['uploads', 'files', 'sync', 'move'] as const)('never lets %s read a password hash: USER# rows only by named attributes, without it', (name) => {
      for (const s of tableStatements(name).filter((st) => leadingKeys(st).some((k) => k.startsWith('USER#')))) {
        expect(leadingKeys(s)).toEqual(['USER#*']);
        expect(s.actions).toEqual(['dynamodb:GetItem']);
        const attributes = s.condition!.find((c) => c.variable === 'dynamodb:Attributes')!;
        expect(attributes.test).toBe('ForAllValues:StringEquals');
        expect(attributes.values).not.toContain('passwordHash');
        expect(s.condition).toContainEqual({ test: 'StringEquals', variable: 'dynamodb:Select', values: ['SPECIFIC_ATTRIBUTES'] });
      }
      expect(tableStatements('sync').some((st) => leadingKeys(st).some((k) => k.startsWith('USER#')))).toBe(false);
    });

    it('keeps files\' table reads to file rows, folder markers, upload sessions, jobs, shares and the trash', () => {
      const read = statementsOf('files').find((s) => s.sid === 'ReadCatalog')!;
      expect(leadingKeys(read)).toEqual(['FOLDER#*', 'UPLOAD#*', 'JOB#*', 'SHARE#*', 'SHARES#', 'SHARELOG#*', 'TRASH#']);
    });

    it.each(['files', 'sync', 'move', 'process'] as const)('lets %s add to the timeline counters only (TIMELINE# rows, UpdateItem)', (name) => {
      const counting = statementsOf(name).find((s) => s.sid === 'CountFilesOnTheTimeline')!;
      expect(counting.actions).toEqual(['dynamodb:UpdateItem']);
      expect(counting.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['TIMELINE#*'] }]);
      for (const s of tableStatements(name).filter((st) => leadingKeys(st).includes('TIMELINE#*'))) expect(leadingKeys(s)).toEqual(['TIMELINE#*']);
    });

    it('lets files read the timeline counters, and only them, beside its other reads', () => {
      const read = statementsOf('files').find((s) => s.sid === 'ReadTimelineCounters')!;
      expect(read.actions).toEqual(['dynamodb:Query']);
      expect(leadingKeys(read)).toEqual(['TIMELINE#*']);
    });

    it('keeps auth to USER# and SESSION# rows', () => {
      for (const s of tableStatements('auth')) {
        expect(s.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['USER#*', 'SESSION#*'] }]);
      }
    });

    it('lets the authorizer only read USER# and SESSION# rows (session versions and families)', () => {
      expect(grants('authorizer').filter((g) => g.startsWith('dynamodb:'))).toEqual([`dynamodb:GetItem on ${table()}`]);
      for (const s of tableStatements('authorizer')) {
        expect(s.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['USER#*', 'SESSION#*'] }]);
      }
    });

    it('leaves unconditioned only the type, date-taken, upload-time and content indexes, which hold file rows alone, and the due index, which holds only share rows and reservations', () => {
      const unconditioned = FUNCTION_NAMES.flatMap((name) =>
        statementsOf(name).filter((s) => s.actions?.some((a) => a.startsWith('dynamodb:')) && !s.condition).flatMap((s) => s.resources ?? []),
      );
      expect(new Set(unconditioned)).toEqual(new Set([`${table()}/index/byType`, `${table()}/index/byTaken`, `${table()}/index/byUploaded`, `${table()}/index/byContent`, `${table()}/index/byDue`]));
    });
  });

  describe('identity provider', () => {
    const SECRET_ARN = '${tostring(var.cognito_user_pool ? "" : var.oidc_client_secret_arn)}';
    it('takes the client secret as a Secrets Manager ARN only: no variable, secret version or environment value holds the secret', () => {
      const variables = plan.variable as Record<string, { type: string; validation?: { condition: string }[] }>;
      expect(Object.keys(variables).filter((name) => /secret/.test(name)).sort()).toEqual(['jwt_secret_recovery_window_days', 'oidc_client_secret_arn']);
      expect(variables.oidc_client_secret_arn?.validation?.[0]?.condition).toContain('secretsmanager');
      expect(plan.resource.aws_secretsmanager_secret_version).toBeUndefined();
      // The variable's ARN, or none with the module's own Cognito pool (a public client).
      expect((fn('auth').environment.variables as Record<string, string>).OIDC_CLIENT_SECRET_ARN).toBe(SECRET_ARN);
      for (const name of FUNCTION_NAMES.filter((n) => n !== 'auth')) expect(Object.keys(fn(name).environment.variables as Record<string, string>)).not.toContain('OIDC_CLIENT_SECRET_ARN');
    });

    it('lets only the auth function read the client secret, and only when one is given', () => {
      const readers = Object.entries(policyDocuments(plan)).filter(([, statements]) => statements.some((s) => (s.resources ?? []).some((r) => r.includes('var.oidc_client_secret_arn'))));
      expect(readers.map(([name]) => name)).toEqual(['auth_oidc_client_secret']);
      expect(readers[0]?.[1]).toEqual([{ sid: 'ReadOidcClientSecret', effect: 'Allow', actions: ['secretsmanager:GetSecretValue'], resources: [SECRET_ARN] }]);
      const doc = (plan.data as Record<string, Record<string, { count?: string }>>).aws_iam_policy_document?.auth_oidc_client_secret;
      expect(doc?.count).toBe(`\${("" != ${SECRET_ARN.slice(2, -1)}) ? 1 : 0}`);
    });

    it('tells the authorizer the issuer, audience and role mapping, and the auth function the client and password-login switch', () => {
      const authorizer = fn('authorizer').environment.variables as Record<string, string>;
      const auth = fn('auth').environment.variables as Record<string, string>;
      // Each the oidc_* variable unless the module's Cognito pool is on (test/plan/user-pool.test.ts).
      const orPool = (name: string) => new RegExp(`^\\$\\{.*var\\.cognito_user_pool \\? .+ : var\\.${name}\\)?\\}$`);
      expect(authorizer).toMatchObject({ OIDC_ISSUER_URL: expect.stringMatching(orPool('oidc_issuer_url')), OIDC_AUDIENCE: '${var.oidc_audience}', OIDC_ROLE_MAPPING: expect.stringMatching(orPool('oidc_role_mapping')) });
      expect(auth).toMatchObject({ OIDC_CLIENT_ID: expect.stringMatching(orPool('oidc_client_id')), OIDC_SCOPES: expect.stringMatching(orPool('oidc_scopes')), LOCAL_LOGIN_ENABLED: '${var.local_login_enabled}' });
    });
  });
});
