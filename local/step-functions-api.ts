/**
 * Just enough of the Step Functions service for the local stack, in the JSON 1.0 protocol the
 * SDK v3 client speaks (`POST /`, `X-Amz-Target: AWSStepFunctions.<Operation>`): the plan's
 * state machines (`aws_sfn_state_machine`), run by the interpreter of local/step-functions.ts,
 * their Tasks invoking the plan's functions in their local sandboxes.
 *
 * - `StartExecution`: a name is unique per state machine, as for STANDARD workflows: the same
 *   name and input as a running execution answers that execution again (idempotent), anything
 *   else with a used name is `ExecutionAlreadyExists`.
 * - `DescribeExecution` (status RUNNING, SUCCEEDED, FAILED; output, or error and cause),
 *   `ListExecutions` (newest first, optional status filter) and `GetExecutionHistory` (the
 *   execution's events as the interpreter records them: states, every Lambda attempt, Map
 *   iterations; `maxResults`, `nextToken`, `reverseOrder`).
 *
 * Executions live in memory. Requests are checked as local/json-protocol.ts says (own Host,
 * content type, SigV4 with the stack's per-run key pair).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from './log';
import { freePort } from './ports';
import { AwsJsonError, startAwsJsonService, type JsonOperations } from './json-protocol';
import type { LocalCredentials } from './sigv4';
import { LOCAL_ACCOUNT } from './sns';
import { runDefinition, StatesError, validateDefinition, type AslDocument, type Json } from './step-functions';

export interface LocalStateMachine {
  readonly name: string;
  readonly definition: AslDocument;
}

type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
  /** Its history, oldest first (GetExecutionHistory). */
  readonly events: HistoryEvent[];
  readonly done: Promise<void>;
}

/** One event of an execution's history, as GetExecutionHistory answers it. */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  readonly [details: string]: unknown;
}

export interface LocalStepFunctionsOptions {
  readonly region: string;
  readonly machines: readonly LocalStateMachine[];
  /** Runs a Task's Resource (a Lambda ARN); throws a StatesError for a failed invocation. */
  readonly invokeTask: (resource: string, input: Json) => Promise<Json>;
  readonly logger: Logger;
  /** The stack's key pair: requests not signed with it are refused. */
  readonly credentials: LocalCredentials;
  /** @default a free port */
  readonly port?: number;
}

interface LocalStepFunctions {
  readonly endpoint: string;
  /** ARN of a state machine by its name. */
  stateMachineArn(name: string): string;
  /** Every execution so far, oldest first. */
  executions(): readonly LocalExecution[];
  stop(): Promise<void>;
}

/** StartExecution's input limit (256 KiB), with room for the request around it. */
const MAX_BODY_BYTES = 300 * 1024;
const MAX_INPUT_BYTES = 256 * 1024;
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export async function startLocalStepFunctions(options: LocalStepFunctionsOptions): Promise<LocalStepFunctions> {
  const { region, credentials, logger } = options;
  const port = options.port ?? (await freePort());
  const arnOf = (name: string) => `arn:aws:states:${region}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
  const machines = new Map(options.machines.map((machine) => {
    validateDefinition(machine.definition, `state machine ${machine.name}`);
    return [arnOf(machine.name), machine] as const;
  }));
  const executions = new Map<string, LocalExecution>();
  let stopped = false;

  const start = (machineArn: string, machine: LocalStateMachine, name: string, input: string): LocalExecution => {
    const executionArn = `arn:aws:states:${region}:${LOCAL_ACCOUNT}:execution:${machine.name}:${name}`;
    const startDate = Date.now();
    const parsed = JSON.parse(input) as Json;
    const record = { executionArn, stateMachineArn: machineArn, name, input, startDate, status: 'RUNNING', events: [] } as unknown as LocalExecution & { done: Promise<void> };
    const info = { id: executionArn, name, stateMachineId: machineArn, stateMachineName: machine.name, startTime: new Date(startDate).toISOString(), input: parsed };
    const addEvent = (type: string, details: Readonly<Record<string, Json>>, previous?: number): number => {
      const id = record.events.length + 1;
      record.events.push({ id, previousEventId: previous ?? id - 1, timestamp: Date.now() / 1000, type, [detailsKeyOf(type)]: details });
      return id;
    };
    logger.info('states', `${machine.name}: execution ${name} started`);
    addEvent('ExecutionStarted', { input, roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${machine.name}` });
    record.done = runDefinition(machine.definition, parsed, info, {
      invokeTask: (resource, payload) => (stopped ? Promise.reject(new StatesError('States.Runtime', 'the local stack stopped')) : options.invokeTask(resource, payload)),
      onEvent: addEvent,
    }).then(
      (output) => {
        addEvent('ExecutionSucceeded', { output: JSON.stringify(output) });
        Object.assign(record, { status: 'SUCCEEDED', output: JSON.stringify(output), stopDate: Date.now() });
        logger.info('states', `${machine.name}: execution ${name} succeeded in ${Date.now() - startDate} ms`);
      },
      (err: unknown) => {
        const error = err instanceof StatesError ? err : new StatesError('States.Runtime', String(err));
        addEvent('ExecutionFailed', { error: error.error, cause: error.cause });
        Object.assign(record, { status: 'FAILED', error: error.error, cause: error.cause, stopDate: Date.now() });
        logger.warn('states', `${machine.name}: execution ${name} failed: ${error.error}`);
      },
    );
    executions.set(executionArn, record);
    return record;
  };

  const describe = (execution: LocalExecution): Record<string, unknown> => ({
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate / 1000,
    ...(execution.stopDate !== undefined ? { stopDate: execution.stopDate / 1000 } : {}),
    input: execution.input,
    ...(execution.output !== undefined ? { output: execution.output } : {}),
    ...(execution.error !== undefined ? { error: execution.error, cause: execution.cause } : {}),
  });

  const operations: JsonOperations = {
    StartExecution(input) {
      const machineArn = String(input.stateMachineArn ?? '');
      const machine = machines.get(machineArn);
      if (machine === undefined) throw new AwsJsonError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machineArn}'`);
      const name = typeof input.name === 'string' ? input.name : randomUUID();
      if (!EXECUTION_NAME.test(name)) throw new AwsJsonError('InvalidName', `Invalid Name: '${name}' (1-80 letters, digits, - and _)`);
      const text = typeof input.input === 'string' ? input.input : '{}';
      if (Buffer.byteLength(text) > MAX_INPUT_BYTES) throw new AwsJsonError('InvalidExecutionInput', 'Execution input is larger than 256 KiB');
      try {
        JSON.parse(text);
      } catch {
        throw new AwsJsonError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
      }
      const existing = [...executions.values()].find((e) => e.stateMachineArn === machineArn && e.name === name);
      if (existing !== undefined) {
        if (existing.status === 'RUNNING' && existing.input === text) return { executionArn: existing.executionArn, startDate: existing.startDate / 1000 };
        throw new AwsJsonError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
      }
      const started = start(machineArn, machine, name, text);
      return { executionArn: started.executionArn, startDate: started.startDate / 1000 };
    },
    DescribeExecution(input) {
      const execution = executions.get(String(input.executionArn ?? ''));
      if (execution === undefined) throw new AwsJsonError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      return describe(execution);
    },
    GetExecutionHistory(input) {
      const execution = executions.get(String(input.executionArn ?? ''));
      if (execution === undefined) throw new AwsJsonError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(input.executionArn)}'`);
      const max = input.maxResults === undefined || input.maxResults === 0 ? 100 : Number(input.maxResults);
      if (!Number.isInteger(max) || max < 0 || max > 1000) throw new AwsJsonError('ValidationException', 'maxResults must be between 0 and 1000');
      const start = input.nextToken === undefined ? 0 : Number(input.nextToken);
      if (!Number.isInteger(start) || start < 0) throw new AwsJsonError('InvalidToken', 'Invalid Token');
      const ordered = input.reverseOrder === true ? [...execution.events].reverse() : execution.events;
      const page = ordered.slice(start, start + max);
      return { events: page, ...(start + max < ordered.length ? { nextToken: String(start + max) } : {}) };
    },
    ListExecutions(input) {
      const machineArn = String(input.stateMachineArn ?? '');
      if (!machines.has(machineArn)) throw new AwsJsonError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${machineArn}'`);
      const list = [...executions.values()]
        .filter((e) => e.stateMachineArn === machineArn && (input.statusFilter === undefined || e.status === input.statusFilter))
        .reverse()
        .map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate / 1000, ...(e.stopDate !== undefined ? { stopDate: e.stopDate / 1000 } : {}) }));
      return { executions: list };
    },
  };

  const service = await startAwsJsonService({
    version: '1.0',
    targetPrefix: 'AWSStepFunctions',
    service: 'states',
    region,
    credentials,
    logger,
    port,
    maxBodyBytes: MAX_BODY_BYTES,
    tooLarge: new AwsJsonError('ValidationException', 'Request too large.', 413),
    internalErrorType: 'InternalServerError',
    operations,
  });
  return {
    endpoint: service.endpoint,
    stateMachineArn: (name) => {
      if (!machines.has(arnOf(name))) throw new Error(`no state machine ${name}`);
      return arnOf(name);
    },
    executions: () => [...executions.values()],
    stop: async () => {
      stopped = true;
      await service.stop();
      await Promise.allSettled([...executions.values()].map((e) => e.done));
    },
  };
}

/** Where an event's details go: `stateEnteredEventDetails` for every `…StateEntered`, else `<type>EventDetails` (`lambdaFunctionFailedEventDetails`). */
function detailsKeyOf(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type.charAt(0).toLowerCase()}${type.slice(1)}EventDetails`;
}
