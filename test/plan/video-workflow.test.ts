import { LOG_DELIVERY_ACTIONS } from '../../modules/media-store/defaults';
import { policyDocuments, synthesizeBoth, type StackJson, type Statement } from './plan';

/** Grants as `action on resource` lines, without the logging and tracing every role has. */
const grants = (statements: Statement[]) =>
  statements
    .filter((s) => !['WriteOwnLogs', 'WriteTraces'].includes(s.sid ?? ''))
    .flatMap((s) => (s.actions ?? []).flatMap((a) => (s.resources ?? []).map((r) => `${a} on ${r}`)))
    .sort();

describe('MediaStore video workflow (Step Functions fan-out of segments)', () => {
  let plan: StackJson;
  const machine = () => plan.resource.aws_sfn_state_machine.video as StackJson;
  const definition = () => JSON.parse(String(machine().definition).replace('${var.video_max_parallel_segments}', '20')) as StackJson;
  const fn = () => plan.resource.aws_lambda_function.transcode as StackJson;
  const variable = (name: string): StackJson => (plan.variable as Record<string, StackJson>)[name];
  const bucket = '${aws_s3_bucket.media.arn}';
  const table = '${aws_dynamodb_table.catalog.arn}';
  const transcodeArn = '${aws_lambda_function.transcode.arn}';

  beforeAll(() => {
    plan = synthesizeBoth().module;
  });

  describe('state machine', () => {
    it('is a STANDARD workflow named after the prefix, logging errors without execution data to its own vended-logs group, traced with var.tracing', () => {
      expect(machine()).toMatchObject({
        name: '${var.name_prefix}-video',
        type: 'STANDARD',
        role_arn: '${aws_iam_role.video_workflow.arn}',
        logging_configuration: { include_execution_data: false, level: 'ERROR', log_destination: '${aws_cloudwatch_log_group.video_workflow.arn}:*' },
        tracing_configuration: { enabled: '${var.tracing}' },
      });
      expect(plan.resource.aws_cloudwatch_log_group.video_workflow).toMatchObject({ name: '/aws/vendedlogs/states/${var.name_prefix}-video', retention_in_days: '${var.log_retention_days}' });
    });

    it('plans, routes remux, whole (one run) or segments, maps the segments at most video_max_parallel_segments at once, joins, and marks failures before failing', () => {
      expect(String(machine().definition)).toContain('"MaxConcurrency":${var.video_max_parallel_segments}');
      const { StartAt, States } = definition();
      expect(StartAt).toBe('Plan');
      expect(Object.keys(States).sort()).toEqual(['Done', 'Failed', 'Join', 'MarkFailed', 'Plan', 'Remux', 'Route', 'Segments', 'Whole'].sort());
      expect(States.Route.Choices).toEqual([
        { Variable: '$.plan.mode', StringEquals: 'remux', Next: 'Remux' },
        { Variable: '$.plan.mode', StringEquals: 'whole', Next: 'Whole' },
        { Variable: '$.plan.mode', StringEquals: 'segments', Next: 'Segments' },
      ]);
      expect(States.Whole).toMatchObject({ Parameters: { step: 'whole' }, Next: 'Done' });
      expect(States.Segments).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.items', MaxConcurrency: 20, Next: 'Join', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } } });
      expect(States.Join.Parameters).toMatchObject({ step: 'join', 'parts.$': '$.parts' });
      expect(States.MarkFailed).toMatchObject({ Parameters: { step: 'fail', 'error.$': '$.error' }, Next: 'Failed' });
      expect(States.Failed).toMatchObject({ Type: 'Fail', Error: 'VideoCopyFailed' });
    });

    it('runs only the transcoding function, retries each segment on its own with backoff, and catches every step that can fail into MarkFailed', () => {
      const { States } = definition();
      const segment = States.Segments.ItemProcessor.States.Segment;
      const tasks = [States.Plan, States.Remux, States.Whole, States.Join, States.MarkFailed, segment];
      for (const task of tasks) {
        expect(task.Resource).toBe(transcodeArn);
        expect(task.Retry.length).toBeGreaterThan(0);
        for (const retry of task.Retry) expect(retry.BackoffRate).toBeGreaterThan(1);
      }
      expect(segment.Retry.map((r: StackJson) => r.ErrorEquals).flat()).toContain('States.ALL');
      // A segment ffmpeg could not make is tried once more, before the catch-all would try it twice.
      const segmentFailed = segment.Retry.findIndex((r: StackJson) => r.ErrorEquals.includes('VideoSegmentFailed'));
      expect(segment.Retry[segmentFailed]).toMatchObject({ ErrorEquals: ['VideoSegmentFailed'], MaxAttempts: 1 });
      expect(segmentFailed).toBeLessThan(segment.Retry.findIndex((r: StackJson) => r.ErrorEquals.includes('States.ALL')));
      for (const step of [States.Plan, States.Remux, States.Whole, States.Segments, States.Join]) {
        expect(step.Catch).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'MarkFailed', ResultPath: '$.error' }]);
      }
    });

    it('alarms on any failed execution', () => {
      expect(plan.resource.aws_cloudwatch_metric_alarm.video_executions_failed).toMatchObject({
        namespace: 'AWS/States',
        metric_name: 'ExecutionsFailed',
        dimensions: { StateMachineArn: '${aws_sfn_state_machine.video.arn}' },
        statistic: 'Sum',
        threshold: 1,
        alarm_actions: ['${aws_sns_topic.ops.arn}'],
      });
    });
  });

  describe('roles', () => {
    it('lets the state machine invoke the transcoding function (and its versions) and deliver its logs, nothing else', () => {
      expect(grants(policyDocuments(plan).video_workflow ?? [])).toEqual(
        [`lambda:InvokeFunction on ${transcodeArn}`, `lambda:InvokeFunction on ${transcodeArn}:*`, ...LOG_DELIVERY_ACTIONS.map((a) => `${a} on *`)].sort(),
      );
      const assume = plan.data.aws_iam_policy_document.video_workflow_assume_role.statement[0];
      expect(assume.principals).toEqual([{ type: 'Service', identifiers: ['states.amazonaws.com'] }]);
    });

    it('lets the transcoding function read originals (ffmpeg, and the fast remux\'s ranged reads and part copies\' source), write copies under derived/ (multipart too), use scratch/, and update file rows only', () => {
      expect(grants(policyDocuments(plan).transcode ?? [])).toEqual(
        [
          `s3:GetObject on ${bucket}/media/*`,
          ...['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:AbortMultipartUpload'].map((a) => `${a} on ${bucket}/scratch/*`),
          `s3:ListBucket on ${bucket}`,
          ...['s3:PutObject', 's3:AbortMultipartUpload', 's3:DeleteObject'].map((a) => `${a} on ${bucket}/derived/*`),
          `dynamodb:GetItem on ${table}`,
          `dynamodb:UpdateItem on ${table}`,
        ].sort(),
      );
      const statements = policyDocuments(plan).transcode ?? [];
      expect(statements.find((s) => s.sid === 'ListScratch')?.condition).toEqual([{ test: 'StringLike', variable: 's3:prefix', values: ['scratch/*'] }]);
      expect(statements.find((s) => s.sid === 'RecordCopies')?.condition).toEqual([{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['FOLDER#*'] }]);
    });

    it('lets only the process function start executions, of this state machine, which it is told by VIDEO_WORKFLOW_ARN', () => {
      const starters = Object.entries(policyDocuments(plan)).flatMap(([name, statements]) => statements.filter((s) => s.actions?.some((a) => a.startsWith('states:'))).map((s) => [name, s.actions, s.resources]));
      expect(starters).toEqual([['process', ['states:StartExecution'], ['${aws_sfn_state_machine.video.arn}']]]);
      const process = plan.resource.aws_lambda_function.process as StackJson;
      expect(process.environment.variables.VIDEO_WORKFLOW_ARN).toBe('${aws_sfn_state_machine.video.arn}');
    });
  });

  describe('transcoding function and variables', () => {
    it('runs with Lambda\'s longest timeout, memory and /tmp from variables, the segment length from video_segment_seconds, deployed through S3', () => {
      expect(fn()).toMatchObject({
        function_name: '${var.name_prefix}-transcode',
        timeout: 900,
        memory_size: '${var.video_transcode_memory_mb}',
        ephemeral_storage: { size: '${var.video_transcode_ephemeral_mb}' },
        s3_key: '${aws_s3_object.transcode_bundle.key}',
      });
      expect(fn().environment.variables).toMatchObject({ VIDEO_SEGMENT_SECONDS: '${var.video_segment_seconds}' });
    });

    it('takes video_copies_enabled and video_max_height from variables: the process function decides with both, the transcoding function scales to the same height', () => {
      const process = plan.resource.aws_lambda_function.process as StackJson;
      expect(process.environment.variables).toMatchObject({ VIDEO_COPIES_ENABLED: '${var.video_copies_enabled}', VIDEO_MAX_HEIGHT: '${var.video_max_height}' });
      expect(fn().environment.variables).toMatchObject({ VIDEO_MAX_HEIGHT: '${var.video_max_height}' });
      expect(variable('video_copies_enabled')).toMatchObject({ type: 'bool', default: true });
      expect(variable('video_max_height')).toMatchObject({ type: 'number', default: 1080 });
      expect(variable('video_max_height').validation[0].condition).toContain('var.video_max_height >= 240 && var.video_max_height <= 2160');
    });

    it('declares the four variables with their defaults, documented with what they cost, and refuses values Lambda or the joins cannot take', () => {
      expect(variable('video_segment_seconds').default).toBe(120);
      expect(variable('video_max_parallel_segments').default).toBe(20);
      expect(variable('video_transcode_memory_mb').default).toBe(3008);
      expect(variable('video_transcode_ephemeral_mb').default).toBe(10240);
      for (const name of ['video_segment_seconds', 'video_max_parallel_segments', 'video_transcode_memory_mb', 'video_transcode_ephemeral_mb']) {
        expect(variable(name).description).toMatch(/\$|[Cc]ost|[Bb]illed/);
      }
      expect(variable('video_segment_seconds').validation.map((v: StackJson) => v.condition).join(' ')).toContain('var.video_segment_seconds % 2 == 0');
      expect(variable('video_transcode_ephemeral_mb').validation[0].condition).toContain('var.video_transcode_ephemeral_mb <= 10240');
    });

    it('expires what a stopped execution left under scratch/ after a day', () => {
      const rules = (Object.values(plan.resource.aws_s3_bucket_lifecycle_configuration)[0] as StackJson).rule as StackJson[];
      expect(rules.find((r) => r.id === 'expire-video-scratch')).toMatchObject({ status: 'Enabled', filter: [{ prefix: 'scratch/' }], expiration: [{ days: 1 }] });
    });
  });
});
