/**
 * The local on-failure destination: an asynchronous invocation that fails every attempt
 * the plan's event invoke config allows is handed over as Lambda's invocation record and
 * kept as a JSON file (local/dead-letters.ts), as the SQS dead-letter queue would get it.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deadLettersIn } from '../../../local/dead-letters';
import { buildRuntime, extractBundles, functionsFromPlan, LocalFunctions, type LocalValues } from '../../../local/functions';
import { SynthesizedPlan, type PlanDocument } from '../../../local/plan';
import { writeZip } from '../../../local/zip';

const LOCAL: LocalValues = {
  region: 'us-east-1',
  tableName: 't',
  bucketName: 'b',
  s3Endpoint: 'http://127.0.0.1:1',
  dynamodbEndpoint: 'http://127.0.0.1:2',
  credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
};
const BUNDLE = `exports.handler = async (event) => { if (event.fail) throw Object.assign(new Error(event.fail), { name: 'CatalogDown' }); return 'ok'; };`;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('local on-failure destination', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-dlq-test-'));
  let functions: LocalFunctions;

  function start(retries: number, withDestination: boolean): { functions: LocalFunctions; deadLetterDir: string } {
    const document: PlanDocument = {
      variable: {},
      resource: {
        aws_lambda_function: {
          fn_sync: { function_name: 'demo-sync', filename: '${path.module}/assets/sync/bundle.zip', handler: 'index.handler', timeout: 2, memory_size: 128, tags: { 'media-store:function': 'sync' } },
        },
        aws_sqs_queue: { failures: { name: 'demo-sync-failures' } },
        aws_lambda_function_event_invoke_config: {
          sync: {
            function_name: '${aws_lambda_function.fn_sync.function_name}',
            maximum_retry_attempts: retries,
            ...(withDestination ? { destination_config: { on_failure: { destination: '${aws_sqs_queue.failures.arn}' } } } : {}),
          },
        },
      } as never,
    };
    const run = path.join(dir, `run-${retries}-${withDestination}`);
    const definitions = functionsFromPlan(new SynthesizedPlan(run, document), LOCAL);
    mkdirSync(path.dirname(definitions[0]!.zipPath), { recursive: true });
    writeZip(definitions[0]!.zipPath, [{ name: 'index.js', data: Buffer.from(BUNDLE) }]);
    extractBundles(definitions, path.join(run, 'functions'));
    const deadLetterDir = path.join(run, 'dlq');
    functions = new LocalFunctions({
      definitions,
      functionsDir: path.join(run, 'functions'),
      runtimeScript: buildRuntime(path.join(run, 'functions')),
      local: LOCAL,
      logger: quiet,
      asyncRetryDelaysMs: [10, 10],
      onFailedEvent: deadLettersIn(deadLetterDir, quiet).receive,
    });
    return { functions, deadLetterDir };
  }

  afterEach(async () => {
    await functions.stop();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an event that failed every attempt as the invocation record Lambda sends the queue', async () => {
    const { functions, deadLetterDir } = start(1, true);
    const event = { Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key: 'media/a.jpg' } } }], fail: 'DynamoDB unavailable' };

    functions.invokeAsync('sync', event, 'test event');
    await functions.drain();

    const files = readdirSync(deadLetterDir);
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(deadLetterDir, files[0]!), 'utf8'))).toEqual({
      destination: 'aws_sqs_queue.failures',
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:demo-sync:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'CatalogDown', errorMessage: 'DynamoDB unavailable', trace: expect.arrayContaining(['CatalogDown: DynamoDB unavailable']) },
    });
  });

  it('keeps nothing for an event that succeeds, or a function without a destination', async () => {
    const withQueue = start(0, true);
    withQueue.functions.invokeAsync('sync', { ok: true }, 'good event');
    await withQueue.functions.drain();
    await withQueue.functions.stop();
    const withoutQueue = start(0, false);
    withoutQueue.functions.invokeAsync('sync', { fail: 'x' }, 'lost event');
    await withoutQueue.functions.drain();

    expect(() => readdirSync(withQueue.deadLetterDir)).toThrow(/ENOENT/);
    expect(() => readdirSync(withoutQueue.deadLetterDir)).toThrow(/ENOENT/);
  });
});
