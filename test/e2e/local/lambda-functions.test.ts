/**
 * The local Lambda service with throwaway bundles: functions read from a plan, unpacked from
 * zips, each sandbox its own Node 22 process with only its own environment, with the plan's
 * timeout and memory, Lambda's context, errors as Lambda reports them, crash isolation, and
 * asynchronous retries.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildRuntime, extractBundles, functionsFromPlan, LocalFunctions, type LocalValues } from '../../../local/functions';
import type { Logger } from '../../../local/log';
import { PlanError, SynthesizedPlan, type PlanDocument } from '../../../local/plan';
import { writeZip } from '../../../local/zip';

const LOCAL: LocalValues = {
  region: 'us-east-1',
  tableName: 'local-table',
  bucketName: 'local-bucket',
  secretArns: { signing: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:local-signing-abc123' },
  s3Endpoint: 'http://127.0.0.1:1',
  dynamodbEndpoint: 'http://127.0.0.1:2',
  credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
};

/** One bundle that does whatever the event asks, so a single zip serves every case. */
const BUNDLE = `
let invocations = 0;
exports.handler = async (event, context) => {
  invocations += 1;
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.fail) throw Object.assign(new Error(event.fail), { name: 'CustomError' });
  if (event.exit !== undefined) process.exit(event.exit);
  if (event.throwLater) setTimeout(() => { throw new Error(event.throwLater); });
  if (event.allocateMiB) { const hold = []; for (let i = 0; i < event.allocateMiB; i++) hold.push(new Array(128 * 1024).fill(i)); }
  if (event.throwLater || event.allocateMiB) await new Promise((r) => setTimeout(r, 500));
  return {
    env: process.env,
    pid: process.pid,
    nodeVersion: process.version,
    heapLimitMiB: require('node:v8').getHeapStatistics().heap_size_limit / 1024 / 1024,
    invocations,
    context: { awsRequestId: context.awsRequestId, functionName: context.functionName, remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB },
  };
};
`;

function planWith(dir: string, environments: Record<string, Record<string, string>>, timeout: number | string = 2): SynthesizedPlan {
  const lambdas: Record<string, Record<string, unknown>> = {};
  for (const [name, variables] of Object.entries(environments)) {
    lambdas[`fn_${name}`] = {
      function_name: '${var.prefix}-' + name,
      filename: `\${path.module}/assets/${name}/bundle.zip`,
      handler: 'index.handler',
      timeout,
      memory_size: 256,
      environment: { variables },
      tags: { 'media-store:function': name },
    };
  }
  const document: PlanDocument = {
    variable: { prefix: { default: 'demo' }, types: { default: ['image/*', 'video/*'] }, level: { default: 'debug' } },
    resource: {
      aws_lambda_function: lambdas as never,
      aws_dynamodb_table: { catalog: {} },
      aws_s3_bucket: { media: {} },
      aws_sns_topic: { events: {} },
      aws_secretsmanager_secret: { signing: {} },
      aws_kms_key: { key: {} },
    },
  };
  return new SynthesizedPlan(dir, document);
}

function capture(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (source: string, message: string) => lines.push(`${level} [${source}] ${message}`);
  return { lines, info: push('INFO'), warn: push('WARN'), error: push('ERROR') };
}

describe('local Lambda functions from a plan', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-functions-test-'));
  const running: LocalFunctions[] = [];

  afterAll(async () => {
    await Promise.all(running.map((f) => f.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  function start(plan: SynthesizedPlan, logger: Logger = capture(), asyncRetryDelaysMs?: number[]): LocalFunctions {
    const definitions = functionsFromPlan(plan, LOCAL);
    for (const d of definitions) {
      mkdirSync(path.dirname(d.zipPath), { recursive: true });
      writeZip(d.zipPath, [{ name: 'index.js', data: Buffer.from(BUNDLE) }]);
    }
    const functionsDir = path.join(dir, `functions-${running.length}`);
    extractBundles(definitions, functionsDir);
    const functions = new LocalFunctions({
      definitions,
      functionsDir,
      runtimeScript: buildRuntime(functionsDir),
      local: LOCAL,
      logger,
      ...(asyncRetryDelaysMs ? { asyncRetryDelaysMs } : {}),
    });
    running.push(functions);
    return functions;
  }

  describe('functionsFromPlan', () => {
    it('resolves variables, joined lists and resource references to local values', () => {
      const plan = planWith(dir, {
        one: {
          TABLE_NAME: '${aws_dynamodb_table.catalog.name}',
          BUCKET_NAME: '${aws_s3_bucket.media.bucket}',
          TOPIC_ARN: '${aws_sns_topic.events.arn}',
          ALLOWED_CONTENT_TYPES: '${join(",", var.types)}',
          LOG_LEVEL: '${var.level}',
          JWT_SECRET_ARN: '${aws_secretsmanager_secret.signing.arn}',
        },
      });

      const [fn] = functionsFromPlan(plan, LOCAL);

      expect(fn).toMatchObject({ name: 'one', functionName: 'demo-one', handler: 'index.handler', timeoutSeconds: 2, memorySize: 256 });
      expect(fn.zipPath).toBe(path.join(dir, 'assets', 'one', 'bundle.zip'));
      expect(fn.environment).toEqual({
        TABLE_NAME: 'local-table',
        BUCKET_NAME: 'local-bucket',
        TOPIC_ARN: '',
        ALLOWED_CONTENT_TYPES: 'image/*,video/*',
        LOG_LEVEL: 'debug',
        JWT_SECRET_ARN: LOCAL.secretArns?.signing,
      });
    });

    it.each([
      ['a resource without a local meaning', '${aws_kms_key.key.arn}', /aws_kms_key\.key\.arn/],
      ['an undeclared variable', '${var.nope}', /variable "nope"/],
      ['an unsupported function', '${sha256(var.types)}', /sha256/],
      ['a resource the plan does not declare', '${aws_sqs_queue.q.url}', /does not declare/],
    ])('fails loudly, naming the variable, on %s', (_case, value, message) => {
      const plan = planWith(dir, { one: { SOMETHING: value } });

      expect(() => functionsFromPlan(plan, LOCAL)).toThrow(PlanError);
      expect(() => functionsFromPlan(plan, LOCAL)).toThrow(/SOMETHING/);
      expect(() => functionsFromPlan(plan, LOCAL)).toThrow(message);
    });
  });

  describe('invocations', () => {
    let functions: LocalFunctions;

    beforeAll(async () => {
      functions = start(planWith(dir, { one: { ONLY_ONE: 'yes', LOG_LEVEL: '${var.level}' }, two: { ONLY_TWO: 'yes' } }, 1));
      await functions.warm();
    });

    it("gives each function only its own variables plus Lambda's and the local endpoints", async () => {
      const [one, two] = await Promise.all([functions.invoke('one', {}), functions.invoke('two', {})]);

      const envOne = (one as { ok: true; payload: { env: Record<string, string> } }).payload.env;
      const envTwo = (two as { ok: true; payload: { env: Record<string, string> } }).payload.env;
      expect(envOne).toMatchObject({ ONLY_ONE: 'yes', LOG_LEVEL: 'debug', AWS_LAMBDA_FUNCTION_NAME: 'demo-one', AWS_REGION: 'us-east-1' });
      expect(envOne).toMatchObject({ AWS_ENDPOINT_URL_S3: LOCAL.s3Endpoint, AWS_ENDPOINT_URL_DYNAMODB: LOCAL.dynamodbEndpoint, S3_FORCE_PATH_STYLE: 'true' });
      expect(envOne.ONLY_TWO).toBeUndefined();
      expect(envTwo.ONLY_ONE).toBeUndefined();
      expect(envOne.PATH).toBeUndefined();
    });

    it('passes a Lambda context with request id, function name, memory and remaining time', async () => {
      const result = await functions.invoke('one', {});

      expect(result).toMatchObject({
        ok: true,
        payload: { context: { awsRequestId: expect.stringMatching(/^[0-9a-f-]{36}$/), functionName: 'demo-one', memory: '256' } },
      });
      const remaining = (result as { ok: true; payload: { context: { remaining: number } } }).payload.context.remaining;
      expect(remaining).toBeGreaterThan(0);
      expect(remaining).toBeLessThanOrEqual(1000);
    });

    it('reports a thrown error as Lambda does, with its type and message', async () => {
      const result = await functions.invoke('one', { fail: 'nope' });

      expect(result).toMatchObject({ ok: false, error: { errorType: 'CustomError', errorMessage: 'nope' } });
    });

    it('stops an invocation at the timeout of the plan and serves the next one from a fresh sandbox', async () => {
      const timedOut = await functions.invoke('two', { sleepMs: 3000 });
      const next = await functions.invoke('two', {});

      expect(timedOut).toMatchObject({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' } });
      expect(next).toMatchObject({ ok: true, payload: { invocations: 1 } });
    });

    it('runs concurrent invocations in separate sandboxes, one at a time each', async () => {
      const results = await Promise.all([functions.invoke('one', { sleepMs: 200 }), functions.invoke('one', { sleepMs: 200 })]);

      const processes = results.map((r) => (r as { ok: true; payload: { pid: number } }).payload.pid);
      expect(new Set(processes).size).toBe(2);
    });

    it("runs the functions on Lambda's Node 22, not the Node of the local stack", async () => {
      const result = await functions.invoke('one', {});

      const { nodeVersion, pid } = (result as { ok: true; payload: { nodeVersion: string; pid: number } }).payload;
      expect(nodeVersion).toMatch(/^v22\./);
      expect(pid).not.toBe(process.pid);
    });

    it("bounds each sandbox's heap by the plan's memory size", async () => {
      const result = await functions.invoke('one', {});

      const { heapLimitMiB } = (result as { ok: true; payload: { heapLimitMiB: number } }).payload;
      expect(heapLimitMiB).toBeGreaterThan(200);
      expect(heapLimitMiB).toBeLessThan(400); // memory_size 256; Node's default on this machine is several GiB
    });
  });

  describe('a function that crashes its process', () => {
    let functions: LocalFunctions;
    const pidOf = (result: unknown): number => (result as { ok: true; payload: { pid: number } }).payload.pid;

    beforeAll(async () => {
      functions = start(planWith(dir, { crashy: {}, bystander: {} }, 5));
      await functions.warm();
    });

    it.each([
      ['process.exit(3)', { exit: 3 }, 'Runtime exited with error: exit status 3'],
      ['an uncaught exception after the handler returned a promise', { throwLater: 'boom' }, 'Runtime exited with error: exit status 1'],
      ['running out of its heap', { allocateMiB: 2048 }, /Runtime exited with error: (signal SIGABRT|signal SIGTRAP|exit status 134)/],
    ])('fails only that invocation on %s, and the next one runs in a fresh process', async (_case, event, message) => {
      const bystanderBefore = pidOf(await functions.invoke('bystander', {}));
      const before = pidOf(await functions.invoke('crashy', {}));

      const crashed = await functions.invoke('crashy', event);
      const next = await functions.invoke('crashy', {});

      expect(crashed).toMatchObject({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: expect.stringMatching(message) } });
      expect(next).toMatchObject({ ok: true, payload: { invocations: 1 } });
      expect(pidOf(next)).not.toBe(before);
      expect(pidOf(await functions.invoke('bystander', {}))).toBe(bystanderBefore);
    }, 30_000);
  });

  describe('asynchronous invocations', () => {
    it('retries a failing event twice, then logs that it was dropped', async () => {
      const logger = capture();
      const functions = start(planWith(dir, { three: {} }), logger, [10, 10]);

      functions.invokeAsync('three', { fail: 'always' }, 'test event');
      await functions.drain();

      const attempts = logger.lines.filter((l) => l.includes('invocation error CustomError: always'));
      expect(attempts).toHaveLength(3);
      expect(logger.lines.filter((l) => l.startsWith('WARN [three] async invocation for test event failed'))).toHaveLength(2);
      expect(logger.lines.filter((l) => l.startsWith('ERROR [three] async invocation for test event FAILED after 2 retries'))).toHaveLength(1);
    });

    it("follows the plan's event invoke config: its retry count, and names the on-failure destination", async () => {
      const logger = capture();
      const plan = planWith(dir, { four: {} });
      const resources = plan.document.resource as Record<string, Record<string, Record<string, unknown>>>;
      resources.aws_sqs_queue = { failures: {} };
      resources.aws_lambda_function_event_invoke_config = {
        four: {
          function_name: '${aws_lambda_function.fn_four.function_name}',
          maximum_retry_attempts: '${var.retries}',
          destination_config: { on_failure: { destination: '${aws_sqs_queue.failures.arn}' } },
        },
      };
      (plan.document.variable as Record<string, { default: unknown }>).retries = { default: 0 };
      const functions = start(plan, logger, [10, 10]);

      functions.invokeAsync('four', { fail: 'once' }, 'test event');
      await functions.drain();

      expect(logger.lines.filter((l) => l.includes('invocation error CustomError: once'))).toHaveLength(1);
      expect(logger.lines).toContainEqual(expect.stringMatching(/FAILED after 0 retries, event not delivered to its on-failure destination aws_sqs_queue\.failures/));
    });
  });
});
