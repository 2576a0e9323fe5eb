import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionDoesNotExist, GetExecutionHistoryCommand, InvalidName, SFNClient, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { silentLogger } from '../../../local/log';
import { startLocalStepFunctions } from '../../../local/step-functions-api';
import { AslUnsupported, StatesError, applyResultPath, applyTemplate, runDefinition, validateDefinition, type AslDocument, type Json } from '../../../local/step-functions';

const execution = { id: 'arn:aws:states:us-east-1:000000000000:execution:m:run-1', name: 'run-1', stateMachineId: 'arn:aws:states:us-east-1:000000000000:stateMachine:m', stateMachineName: 'm', startTime: '2026-01-01T00:00:00.000Z', input: {} };

/** A failed Lambda task as the Step Functions service reports it. */
const taskFailed = (type: string, message: string) => new StatesError(type, JSON.stringify({ errorType: type, errorMessage: message }));

describe('local Step Functions interpreter', () => {
  it('passes a Task its Parameters (paths and the context object) and puts the selected result at ResultPath', async () => {
    // Prepare
    const seen: Json[] = [];
    const definition: AslDocument = {
      StartAt: 'Plan',
      States: {
        Plan: {
          Type: 'Task',
          Resource: 'arn:fn:plan',
          Parameters: { step: 'plan', 'key.$': '$.file.key', 'run.$': '$$.Execution.Name' },
          ResultSelector: { 'count.$': '$.segments' },
          ResultPath: '$.plan',
          End: true,
        },
      },
    };

    // Act
    const output = await runDefinition(definition, { file: { key: 'media/a.mov' }, keep: 1 }, execution, {
      invokeTask: async (resource, input) => {
        seen.push({ resource, input });
        return { segments: 5, noise: true };
      },
    });

    // Assert
    expect(seen).toEqual([{ resource: 'arn:fn:plan', input: { step: 'plan', key: 'media/a.mov', run: 'run-1' } }]);
    expect(output).toEqual({ file: { key: 'media/a.mov' }, keep: 1, plan: { count: 5 } });
  });

  it('retries a failing Task with exponential backoff up to MaxAttempts, then succeeds on the next attempt', async () => {
    // Prepare
    const sleeps: number[] = [];
    let calls = 0;
    const definition: AslDocument = {
      StartAt: 'Segment',
      States: {
        Segment: { Type: 'Task', Resource: 'arn:fn', Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 3 }], End: true },
      },
    };

    // Act
    const output = await runDefinition(definition, {}, execution, {
      sleep: async (ms) => void sleeps.push(ms),
      invokeTask: async () => {
        calls += 1;
        if (calls <= 3) throw taskFailed('Flaky', 'try again');
        return 'done';
      },
    });

    // Assert
    expect(output).toBe('done');
    expect(calls).toBe(4);
    expect(sleeps).toEqual([2000, 6000, 18000]);
  });

  it('gives up after MaxAttempts retries, and a Catch sends {Error, Cause} at its ResultPath to its Next state', async () => {
    // Prepare
    let calls = 0;
    const marked: Json[] = [];
    const definition: AslDocument = {
      StartAt: 'Segment',
      States: {
        Segment: {
          Type: 'Task',
          Resource: 'arn:fn:segment',
          Retry: [{ ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'MarkFailed', ResultPath: '$.error' }],
          Next: 'Done',
        },
        MarkFailed: { Type: 'Task', Resource: 'arn:fn:mark', Next: 'Failed' },
        Failed: { Type: 'Fail', Error: 'VideoCopyFailed', Cause: 'see the catalog row' },
        Done: { Type: 'Succeed' },
      },
    };

    // Act
    const run = runDefinition(definition, { key: 'k' }, execution, {
      sleep: async () => undefined,
      invokeTask: async (resource, input) => {
        if (resource === 'arn:fn:mark') {
          marked.push(input);
          return input;
        }
        calls += 1;
        throw taskFailed('SegmentFailed', 'ffmpeg exited 1');
      },
    });

    // Assert
    await expect(run).rejects.toMatchObject({ error: 'VideoCopyFailed', cause: 'see the catalog row' });
    expect(calls).toBe(3);
    expect(marked).toEqual([{ key: 'k', error: { Error: 'SegmentFailed', Cause: JSON.stringify({ errorType: 'SegmentFailed', errorMessage: 'ffmpeg exited 1' }) } }]);
  });

  it('runs a Map over its items with at most MaxConcurrency at once, results in item order, items given by ItemSelector', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const definition: AslDocument = {
      StartAt: 'Segments',
      States: {
        Segments: {
          Type: 'Map',
          ItemsPath: '$.plan.segments',
          MaxConcurrency: 3,
          ItemSelector: { 'key.$': '$.key', 'segment.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Transcode', States: { Transcode: { Type: 'Task', Resource: 'arn:fn', End: true } } },
          ResultPath: '$.parts',
          End: true,
        },
      },
    };
    const segments = Array.from({ length: 10 }, (_, i) => ({ start: i * 2 }));

    // Act
    const output = (await runDefinition(definition, { key: 'k', plan: { segments } }, execution, {
      invokeTask: async (_resource, input) => {
        running += 1;
        most = Math.max(most, running);
        const { index } = input as { index: number };
        // Later items finish first: the results must still come back in item order.
        await new Promise((resolve) => setTimeout(resolve, 30 - index * 2));
        running -= 1;
        return input;
      },
    })) as { parts: { key: string; segment: { start: number }; index: number }[] };

    // Assert
    expect(most).toBe(3);
    expect(output.parts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(output.parts[4]).toEqual({ key: 'k', segment: { start: 8 }, index: 4 });
  });

  it('fails the Map when one iteration fails (after its own retries) and starts no further iteration', async () => {
    // Prepare
    const started: number[] = [];
    const definition: AslDocument = {
      StartAt: 'Segments',
      States: {
        Segments: {
          Type: 'Map',
          MaxConcurrency: 1,
          Iterator: {
            StartAt: 'Transcode',
            States: { Transcode: { Type: 'Task', Resource: 'arn:fn', Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 1, IntervalSeconds: 1 }], End: true } },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
          End: true,
        },
        Failed: { Type: 'Pass', Parameters: { 'failed.$': '$.Error' }, End: true },
      },
    };

    // Act
    const output = await runDefinition(definition, [0, 1, 2, 3], execution, {
      sleep: async () => undefined,
      invokeTask: async (_resource, input) => {
        started.push(input as number);
        if (input === 1) throw taskFailed('SegmentFailed', 'corrupt');
        return input;
      },
    });

    // Assert
    expect(output).toEqual({ failed: 'SegmentFailed' });
    expect(started).toEqual([0, 1, 1]);
  });

  it('records the history: states entered and exited, every Lambda attempt of a retried iteration, Map iterations, the Catch', async () => {
    // Prepare
    const events: [string, Readonly<Record<string, Json>>][] = [];
    const definition: AslDocument = {
      StartAt: 'Segments',
      States: {
        Segments: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Segment', States: { Segment: { Type: 'Task', Resource: 'arn:fn', Retry: [{ ErrorEquals: ['SegmentFailed'], MaxAttempts: 1 }], End: true } } },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed', ResultPath: '$.error' }],
          End: true,
        },
        Failed: { Type: 'Fail', Error: 'CopyFailed' },
      },
    };

    // Act
    const run = runDefinition(definition, { items: [0, 1] }, execution, {
      sleep: async () => undefined,
      invokeTask: async (_resource, input) => {
        if (input === 1) throw taskFailed('SegmentFailed', 'segment 2 (2–4 s): the video could not be decoded');
        return input;
      },
      onEvent: (type, details, previous) => events.push([type, previous === undefined ? details : { ...details, previous }]),
    });

    // Assert
    await expect(run).rejects.toMatchObject({ error: 'CopyFailed' });
    expect(events.map(([type]) => type)).toEqual([
      'MapStateEntered',
      'MapIterationStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionSucceeded', 'TaskStateExited', 'MapIterationSucceeded',
      'MapIterationStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionFailed', 'LambdaFunctionScheduled', 'LambdaFunctionFailed', 'MapIterationFailed',
      'MapStateExited',
      'FailStateEntered',
    ]);
    expect(events[3]).toEqual(['LambdaFunctionScheduled', { resource: 'arn:fn', input: '0' }]);
    expect(events[7]).toEqual(['MapIterationStarted', { name: 'Segments', index: 1 }]);
    // An outcome names what it answers (the attempt's scheduling, the iteration's start) by its id.
    expect(events[10]?.[1]).toEqual({ error: 'SegmentFailed', cause: JSON.stringify({ errorType: 'SegmentFailed', errorMessage: 'segment 2 (2–4 s): the video could not be decoded' }), previous: 10 });
    expect(events[13]?.[1]).toEqual({ name: 'Segments', index: 1, previous: 8 });
    expect(JSON.parse(String(events[14]?.[1].output))).toMatchObject({ items: [0, 1], error: { Error: 'SegmentFailed' } });
  });

  it('follows the first matching Choice rule, else the Default, else fails with States.NoChoiceMatched', async () => {
    // Prepare
    const definition = (withDefault: boolean): AslDocument => ({
      StartAt: 'Route',
      States: {
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.plan.mode', StringEquals: 'remux', Next: 'Remux' },
            { And: [{ Variable: '$.plan.segments', IsPresent: true }, { Variable: '$.plan.count', NumericGreaterThan: 1 }], Next: 'Segments' },
          ],
          ...(withDefault ? { Default: 'Whole' } : {}),
        },
        Remux: { Type: 'Pass', Result: 'remux', End: true },
        Segments: { Type: 'Pass', Result: 'segments', End: true },
        Whole: { Type: 'Pass', Result: 'whole', End: true },
      },
    });
    const options = { invokeTask: async () => null };

    // Act + Assert
    await expect(runDefinition(definition(true), { plan: { mode: 'remux' } }, execution, options)).resolves.toBe('remux');
    await expect(runDefinition(definition(true), { plan: { mode: 'transcode', segments: [], count: 3 } }, execution, options)).resolves.toBe('segments');
    await expect(runDefinition(definition(true), { plan: { mode: 'transcode', count: 3 } }, execution, options)).resolves.toBe('whole');
    await expect(runDefinition(definition(false), { plan: { mode: 'other' } }, execution, options)).rejects.toMatchObject({ error: 'States.NoChoiceMatched' });
  });

  it('times a Task out after its TimeoutSeconds with States.Timeout, which States.TaskFailed does not catch', async () => {
    // Prepare
    const definition: AslDocument = {
      StartAt: 'Slow',
      States: {
        Slow: { Type: 'Task', Resource: 'arn:fn', TimeoutSeconds: 0.05, Catch: [{ ErrorEquals: ['States.TaskFailed'], Next: 'Caught' }], End: true },
        Caught: { Type: 'Succeed' },
      },
    };

    // Act
    const run = runDefinition(definition, {}, execution, { invokeTask: () => new Promise((resolve) => setTimeout(() => resolve(1), 500)) });

    // Assert
    await expect(run).rejects.toMatchObject({ error: 'States.Timeout' });
  });

  it('refuses a definition using a state type or field it does not implement, naming it', () => {
    expect(() => validateDefinition({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, End: true } } })).toThrow(AslUnsupported);
    expect(() => validateDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'x', Credentials: {}, End: true } } })).toThrow(/Credentials/);
    expect(() => validateDefinition({ StartAt: 'T', States: { T: { Type: 'Task', Resource: 'x', Next: 'Nowhere' } } })).toThrow(/Nowhere/);
    expect(() =>
      validateDefinition({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'T', States: { T: { Type: 'Succeed' } } }, End: true } } }),
    ).toThrow(/INLINE/);
  });

  it('ResultPath null keeps the input, a nested path creates its parents; templates keep literal values', () => {
    expect(applyResultPath(null, { a: 1 }, 'ignored')).toEqual({ a: 1 });
    expect(applyResultPath('$.x.y', { a: 1 }, 2)).toEqual({ a: 1, x: { y: 2 } });
    expect(applyTemplate({ step: 'join', list: [{ 'v.$': '$.a' }] }, { a: 7 }, {})).toEqual({ step: 'join', list: [{ v: 7 }] });
    expect(() => applyTemplate({ 'v.$': '$.missing' }, { a: 7 }, {})).toThrow(StatesError);
  });
});

describe('local Step Functions service (SDK client over HTTP)', () => {
  const credentials = { accessKeyId: 'AKIDLOCALSFNTEST', secretAccessKey: 'local-sfn-test-secret-key' };
  const machine: AslDocument = {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: 'arn:fn:work', ResultPath: '$.result', End: true } },
  };
  let release: () => void = () => undefined;
  let service: Awaited<ReturnType<typeof startLocalStepFunctions>>;
  let client: SFNClient;

  beforeAll(async () => {
    service = await startLocalStepFunctions({
      region: 'us-east-1',
      credentials,
      logger: silentLogger,
      machines: [{ name: 'media-store-video', definition: machine }],
      invokeTask: async (_resource, input) => {
        await new Promise<void>((resolve) => (release = resolve));
        if ((input as { fail?: boolean }).fail) throw new StatesError('VideoRejected', 'not a video');
        return 'copied';
      },
    });
    client = new SFNClient({ region: 'us-east-1', endpoint: service.endpoint, credentials });
  });
  afterAll(async () => {
    release();
    client.destroy();
    await service.stop();
  });

  const describeWhenDone = async (executionArn: string) => {
    for (;;) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('runs an execution to SUCCEEDED with its output; the same name and input while running answers the same execution, another input is ExecutionAlreadyExists', async () => {
    // Prepare
    const stateMachineArn = service.stateMachineArn('media-store-video');

    // Act
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'copy-abc', input: '{"key":"k"}' }));
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'copy-abc', input: '{"key":"k"}' }));
    const clash = client.send(new StartExecutionCommand({ stateMachineArn, name: 'copy-abc', input: '{"key":"other"}' }));
    await expect(clash).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    release();
    const described = await describeWhenDone(first.executionArn!);

    // Assert
    expect(again.executionArn).toBe(first.executionArn);
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'copy-abc', output: JSON.stringify({ key: 'k', result: 'copied' }) });
    expect(service.executions()).toHaveLength(1);
    // Finished: the name stays taken (STANDARD workflows keep names for 90 days).
    await expect(client.send(new StartExecutionCommand({ stateMachineArn, name: 'copy-abc', input: '{"key":"k"}' }))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('reports a failed execution with the error and cause nothing caught', async () => {
    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn('media-store-video'), name: 'copy-bad', input: '{"fail":true}' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    const described = await describeWhenDone(started.executionArn!);

    // Assert
    expect(described).toMatchObject({ status: 'FAILED', error: 'VideoRejected', cause: 'not a video' });
  });

  it('answers the history of an execution in pages, oldest first or newest first', async () => {
    // Act
    const started = await client.send(new StartExecutionCommand({ stateMachineArn: service.stateMachineArn('media-store-video'), name: 'copy-history', input: '{"key":"h"}' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await describeWhenDone(started.executionArn!);
    const first = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 4 }));
    const rest = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, maxResults: 4, nextToken: first.nextToken }));
    const newest = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn, reverseOrder: true, maxResults: 1 }));

    // Assert
    const events = [...(first.events ?? []), ...(rest.events ?? [])];
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rest.nextToken).toBeUndefined();
    expect(events[2]?.lambdaFunctionScheduledEventDetails).toMatchObject({ resource: 'arn:fn:work', input: '{"key":"h"}' });
    expect(events[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Work' });
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(newest.events?.map((e) => e.type)).toEqual(['ExecutionSucceeded']);
    await expect(client.send(new GetExecutionHistoryCommand({ executionArn: `${started.executionArn}-x` }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('refuses an unknown state machine, a bad name, and a request not signed with the stack key pair', async () => {
    const stateMachineArn = service.stateMachineArn('media-store-video');
    await expect(client.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-x` }))).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(client.send(new StartExecutionCommand({ stateMachineArn, name: 'has space' }))).rejects.toBeInstanceOf(InvalidName);
    const stranger = new SFNClient({ region: 'us-east-1', endpoint: service.endpoint, credentials: { accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'wrong' } });
    await expect(stranger.send(new StartExecutionCommand({ stateMachineArn }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    stranger.destroy();
  });
});
