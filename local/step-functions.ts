/**
 * A small interpreter of the Amazon States Language, for the local stack: it runs the plan's
 * `aws_sfn_state_machine` definitions (the video workflow) as Step Functions would, with the
 * states and fields the module uses and nothing else — a definition using anything more is
 * refused when it is loaded, so the plan and this interpreter cannot drift apart silently.
 *
 * - States: Task (a Lambda function's ARN as `Resource`), Map (inline, `MaxConcurrency`),
 *   Choice, Pass, Succeed, Fail.
 * - Fields: InputPath, Parameters / ItemSelector (`"key.$": "$.path"` and `$$.` context paths),
 *   ResultSelector, ResultPath, OutputPath, ItemsPath, Retry (ErrorEquals, IntervalSeconds,
 *   MaxAttempts, BackoffRate, MaxDelaySeconds), Catch (ErrorEquals, Next, ResultPath),
 *   TimeoutSeconds.
 * - Errors: a Task's error is the function's `errorType` with its body as `Cause` (as for a
 *   Lambda ARN resource); `States.ALL`, `States.TaskFailed`, `States.Timeout`,
 *   `States.NoChoiceMatched` as AWS names them.
 * - History: states entered and exited, every Lambda attempt (so each retry shows), Map
 *   iterations, through `onEvent` (GetExecutionHistory in local/step-functions-api.ts).
 *
 * The execution service (StartExecution, DescribeExecution over HTTP) is local/step-functions-api.ts.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface AslDocument {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
}

type AslState = Readonly<Record<string, unknown>> & { readonly Type: string };

/** An error as Step Functions carries it: a name (`Error`) and a text (`Cause`). */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`${error}: ${cause}`);
    this.name = 'StatesError';
  }
}

/** The definition uses something this interpreter does not implement. */
export class AslUnsupported extends Error {}

interface ExecutionInfo {
  readonly id: string;
  readonly name: string;
  readonly stateMachineId: string;
  readonly stateMachineName: string;
  readonly startTime: string;
  readonly input: Json;
}

export interface InterpreterOptions {
  /** Runs a Task's `Resource` with its input; throws a StatesError for a failed task. */
  readonly invokeTask: (resource: string, input: Json) => Promise<Json>;
  /** Waits between retries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Sees every state entered (tests, logs). */
  readonly onState?: (name: string, input: Json) => void;
  /**
   * Sees the execution's history as Step Functions records it (GetExecutionHistory): states
   * entered and exited, each Lambda attempt scheduled, succeeded, failed or timed out (so every
   * retry shows), Map iterations started, succeeded and failed. `details` are the event's
   * `…EventDetails`, inputs and outputs as JSON text; `previous` is the event an outcome answers
   * (a Lambda attempt's scheduling, an iteration's start), as its `previousEventId`. Answers
   * the event's id.
   */
  readonly onEvent?: (type: HistoryEventType, details: Readonly<Record<string, Json>>, previous?: number) => number;
}

/** The history events the interpreter records (Step Functions' names). */
export type HistoryEventType =
  | `${'Task' | 'Map' | 'Choice' | 'Pass' | 'Succeed' | 'Fail'}State${'Entered' | 'Exited'}`
  | 'LambdaFunctionScheduled' | 'LambdaFunctionSucceeded' | 'LambdaFunctionFailed' | 'LambdaFunctionTimedOut'
  | 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed';

const COMMON = ['Type', 'Comment', 'Next', 'End', 'InputPath', 'OutputPath'];
const FIELDS: Readonly<Record<string, readonly string[]>> = {
  Task: [...COMMON, 'Resource', 'Parameters', 'ResultSelector', 'ResultPath', 'Retry', 'Catch', 'TimeoutSeconds'],
  Map: [...COMMON, 'ItemsPath', 'ItemSelector', 'Parameters', 'ItemProcessor', 'Iterator', 'MaxConcurrency', 'ResultSelector', 'ResultPath', 'Retry', 'Catch'],
  Choice: ['Type', 'Comment', 'InputPath', 'OutputPath', 'Choices', 'Default'],
  Pass: [...COMMON, 'Result', 'Parameters', 'ResultPath'],
  Succeed: ['Type', 'Comment', 'InputPath', 'OutputPath'],
  Fail: ['Type', 'Comment', 'Error', 'Cause'],
};
const RETRY_FIELDS = ['ErrorEquals', 'IntervalSeconds', 'MaxAttempts', 'BackoffRate', 'MaxDelaySeconds'];
const CATCH_FIELDS = ['ErrorEquals', 'Next', 'ResultPath'];
const COMPARISONS = [
  'StringEquals', 'StringEqualsPath', 'NumericEquals', 'NumericEqualsPath', 'NumericLessThan', 'NumericLessThanEquals',
  'NumericGreaterThan', 'NumericGreaterThanEquals', 'BooleanEquals', 'IsPresent', 'IsNull', 'IsString', 'IsNumeric', 'IsBoolean',
] as const;

/** Checks a definition (and its Map iterators) against what this interpreter implements; throws AslUnsupported naming the first gap. */
export function validateDefinition(definition: AslDocument, where = 'definition'): void {
  if (typeof definition.StartAt !== 'string' || definition.States?.[definition.StartAt] === undefined) {
    throw new AslUnsupported(`${where}: StartAt must name one of its States`);
  }
  for (const [name, state] of Object.entries(definition.States)) {
    const at = `${where}.States.${name}`;
    const allowed = FIELDS[state.Type];
    if (allowed === undefined) throw new AslUnsupported(`${at}: state type ${String(state.Type)} is not implemented locally`);
    const extra = Object.keys(state).filter((key) => !allowed.includes(key));
    if (extra.length > 0) throw new AslUnsupported(`${at}: ${extra.join(', ')} not implemented locally`);
    const targets: unknown[] = [state.Next, state.Default];
    for (const retrier of (state.Retry as Record<string, unknown>[] | undefined) ?? []) {
      const unknown = Object.keys(retrier).filter((key) => !RETRY_FIELDS.includes(key));
      if (unknown.length > 0) throw new AslUnsupported(`${at}.Retry: ${unknown.join(', ')} not implemented locally`);
    }
    for (const catcher of (state.Catch as Record<string, unknown>[] | undefined) ?? []) {
      const unknown = Object.keys(catcher).filter((key) => !CATCH_FIELDS.includes(key));
      if (unknown.length > 0) throw new AslUnsupported(`${at}.Catch: ${unknown.join(', ')} not implemented locally`);
      targets.push(catcher.Next);
    }
    if (state.Type === 'Choice') for (const rule of (state.Choices as Record<string, unknown>[]) ?? []) targets.push(rule.Next);
    for (const target of targets) {
      if (target !== undefined && definition.States[target as string] === undefined) throw new AslUnsupported(`${at}: goes to ${String(target)}, which is not a state`);
    }
    if (['Task', 'Map', 'Pass'].includes(state.Type) && state.Next === undefined && state.End !== true) throw new AslUnsupported(`${at}: needs Next or End`);
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as (AslDocument & { ProcessorConfig?: { Mode?: string } }) | undefined;
      if (processor === undefined) throw new AslUnsupported(`${at}: needs an ItemProcessor`);
      if (processor.ProcessorConfig !== undefined && processor.ProcessorConfig.Mode !== 'INLINE') throw new AslUnsupported(`${at}: only INLINE Map is implemented locally`);
      const { ProcessorConfig: _config, ...inner } = processor;
      validateDefinition(inner, `${at}.ItemProcessor`);
    }
  }
}

// --- Paths -----------------------------------------------------------------------------

/** Reads a path (`$`, `$.a.b`, `$.list[0].c`, `$$.Map.Item.Value`) from the input or the context object. */
function readPath(path: string, input: Json, context: Json): Json {
  const [root, steps] = parsePath(path);
  let value: Json = root === '$$' ? context : input;
  for (const step of steps) {
    const next: Json | undefined =
      typeof step === 'number' ? (Array.isArray(value) ? value[step] : undefined) : value !== null && typeof value === 'object' && !Array.isArray(value) ? value[step] : undefined;
    if (next === undefined) throw new StatesError('States.Runtime', `The JSONPath '${path}' could not be found in the input '${JSON.stringify(value)}'`);
    value = next;
  }
  return value;
}

function parsePath(path: string): ['$' | '$$', (string | number)[]] {
  const match = /^(\$\$?)((?:\.[A-Za-z0-9_-]+|\[\d+\])*)$/.exec(path);
  if (match === null) throw new StatesError('States.Runtime', `The JSONPath ${path} is not supported locally (only $.a.b[0] paths)`);
  const steps = [...(match[2] ?? '').matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)].map((m) => (m[1] !== undefined ? m[1] : Number(m[2])));
  return [match[1] as '$' | '$$', steps];
}

/** `ResultPath`: the result put into (a copy of) the input at a path; `$` replaces it; null keeps the input. */
export function applyResultPath(resultPath: unknown, input: Json, result: Json): Json {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const [root, steps] = parsePath(String(resultPath));
  if (root !== '$' || steps.some((s) => typeof s === 'number')) throw new StatesError('States.Runtime', `ResultPath ${String(resultPath)} is not supported locally`);
  const copy = structuredClone(input ?? {}) as Json;
  if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) throw new StatesError('States.Runtime', `ResultPath ${String(resultPath)} needs an object input`);
  let target = copy as { [key: string]: Json };
  for (const step of steps.slice(0, -1) as string[]) {
    const next = target[step];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) target[step] = {};
    target = target[step] as { [key: string]: Json };
  }
  target[steps[steps.length - 1] as string] = result;
  return copy;
}

/** `Parameters` / `ItemSelector` / `ResultSelector`: a template whose `"key.$"` fields take their values from paths. */
export function applyTemplate(template: unknown, input: Json, context: Json): Json {
  if (Array.isArray(template)) return template.map((item) => applyTemplate(item, input, context));
  if (template === null || typeof template !== 'object') return template as Json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) {
      if (typeof value !== 'string') throw new StatesError('States.Runtime', `${key} must be a path`);
      if (value.startsWith('States.')) throw new StatesError('States.Runtime', `intrinsic function ${value} is not implemented locally`);
      out[key.slice(0, -2)] = readPath(value, input, context);
    } else {
      out[key] = applyTemplate(value, input, context);
    }
  }
  return out;
}

function selectPath(path: unknown, input: Json, context: Json): Json {
  if (path === null) return {};
  if (path === undefined) return input;
  return readPath(String(path), input, context);
}

// --- Errors, Retry, Catch ----------------------------------------------------------------

interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
}

interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
}

/** Whether `ErrorEquals` names this error (`States.ALL` anything, `States.TaskFailed` anything but a timeout). */
function errorMatches(names: readonly string[], error: string): boolean {
  return names.some((name) => name === error || name === 'States.ALL' || (name === 'States.TaskFailed' && error !== 'States.Timeout' && !error.startsWith('States.Runtime')));
}

/** Runs `attempt` with a state's Retry policy: the first matching retrier decides, each counts its own attempts. */
async function withRetries<T>(retriers: readonly Retrier[] | undefined, sleep: (ms: number) => Promise<void>, attempt: () => Promise<T>): Promise<T> {
  const counts = new Map<Retrier, number>();
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const error = asStatesError(err);
      const retrier = (retriers ?? []).find((r) => errorMatches(r.ErrorEquals, error.error));
      if (retrier === undefined) throw error;
      const done = counts.get(retrier) ?? 0;
      if (done >= (retrier.MaxAttempts ?? 3)) throw error;
      counts.set(retrier, done + 1);
      const delay = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done;
      await sleep(Math.min(delay, retrier.MaxDelaySeconds ?? Infinity) * 1000);
    }
  }
}

function asStatesError(err: unknown): StatesError {
  if (err instanceof StatesError) return err;
  return new StatesError('States.Runtime', err instanceof Error ? err.message : String(err));
}

// --- Running ---------------------------------------------------------------------------

/** Runs a definition to its end: resolves with the output, rejects with a StatesError (a Fail state or an error nothing caught). */
export async function runDefinition(definition: AslDocument, input: Json, execution: ExecutionInfo, options: InterpreterOptions): Promise<Json> {
  validateDefinition(definition);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const context = (state: string, extra: { [key: string]: Json } = {}): Json => ({
    Execution: { Id: execution.id, Name: execution.name, StartTime: execution.startTime, Input: execution.input },
    StateMachine: { Id: execution.stateMachineId, Name: execution.stateMachineName },
    State: { Name: state, EnteredTime: new Date().toISOString() },
    ...extra,
  });
  const run = (document: AslDocument, documentInput: Json, extra?: { [key: string]: Json }): Promise<Json> => runStates(document, documentInput, extra);
  const record = (type: HistoryEventType, details: Readonly<Record<string, Json>>, previous?: number): number | undefined => options.onEvent?.(type, details, previous);
  const stateEvent = (state: AslState, edge: 'Entered' | 'Exited', name: string, data: Json): void =>
    void record(`${state.Type}State${edge}` as HistoryEventType, edge === 'Entered' ? { name, input: JSON.stringify(data) } : { name, output: JSON.stringify(data) });

  async function runStates(document: AslDocument, documentInput: Json, extra?: { [key: string]: Json }): Promise<Json> {
    let name = document.StartAt;
    let data = documentInput;
    for (;;) {
      const state = document.States[name] as AslState;
      options.onState?.(name, data);
      stateEvent(state, 'Entered', name, data);
      const ctx = context(name, extra);
      if (state.Type === 'Succeed') {
        const output = selectPath(state.OutputPath, selectPath(state.InputPath, data, ctx), ctx);
        stateEvent(state, 'Exited', name, output);
        return output;
      }
      if (state.Type === 'Fail') throw new StatesError(String(state.Error ?? 'States.Fail'), String(state.Cause ?? ''));
      if (state.Type === 'Choice') {
        const effective = selectPath(state.InputPath, data, ctx);
        const rule = (state.Choices as Record<string, unknown>[]).find((r) => choiceMatches(r, effective, ctx));
        const next = (rule?.Next ?? state.Default) as string | undefined;
        if (next === undefined) throw new StatesError('States.NoChoiceMatched', `No Choice rule of ${name} matched and it has no Default`);
        data = selectPath(state.OutputPath, effective, ctx);
        stateEvent(state, 'Exited', name, data);
        name = next;
        continue;
      }
      let output: Json;
      try {
        output = await runStep(name, state, data, ctx);
      } catch (err) {
        const error = asStatesError(err);
        const catcher = ((state.Catch as Catcher[] | undefined) ?? []).find((c) => errorMatches(c.ErrorEquals, error.error));
        if (catcher === undefined) throw error;
        data = applyResultPath(catcher.ResultPath, data, { Error: error.error, Cause: error.cause });
        stateEvent(state, 'Exited', name, data);
        name = catcher.Next;
        continue;
      }
      stateEvent(state, 'Exited', name, output);
      if (state.End === true) return output;
      data = output;
      name = state.Next as string;
    }
  }

  /** One attempt of a Task: its Lambda scheduled, then succeeded, failed or timed out, each recorded. */
  async function attemptTask(name: string, state: AslState, payload: Json): Promise<Json> {
    const resource = String(state.Resource);
    const scheduled = record('LambdaFunctionScheduled', { resource, input: JSON.stringify(payload) });
    try {
      const output = await withTimeout(state.TimeoutSeconds as number | undefined, name, options.invokeTask(resource, payload));
      record('LambdaFunctionSucceeded', { output: JSON.stringify(output) }, scheduled);
      return output;
    } catch (err) {
      const error = asStatesError(err);
      record(error.error === 'States.Timeout' ? 'LambdaFunctionTimedOut' : 'LambdaFunctionFailed', { error: error.error, cause: error.cause }, scheduled);
      throw error;
    }
  }

  async function runStep(name: string, state: AslState, data: Json, ctx: Json): Promise<Json> {
    const effective = selectPath(state.InputPath, data, ctx);
    let result: Json;
    if (state.Type === 'Pass') {
      result = state.Parameters !== undefined ? applyTemplate(state.Parameters, effective, ctx) : state.Result !== undefined ? (state.Result as Json) : effective;
    } else if (state.Type === 'Task') {
      const payload = state.Parameters !== undefined ? applyTemplate(state.Parameters, effective, ctx) : effective;
      result = await withRetries(state.Retry as Retrier[] | undefined, sleep, () => attemptTask(name, state, payload));
    } else {
      result = await withRetries(state.Retry as Retrier[] | undefined, sleep, () => runMap(name, state, effective, ctx));
    }
    if (state.ResultSelector !== undefined) result = applyTemplate(state.ResultSelector, result, ctx);
    return selectPath(state.OutputPath, applyResultPath(state.ResultPath, data, result), ctx);
  }

  async function runMap(name: string, state: AslState, effective: Json, ctx: Json): Promise<Json> {
    const items = selectPath(state.ItemsPath, effective, ctx);
    if (!Array.isArray(items)) throw new StatesError('States.Runtime', `ItemsPath ${String(state.ItemsPath ?? '$')} is not an array`);
    const { ProcessorConfig: _config, ...processor } = (state.ItemProcessor ?? state.Iterator) as AslDocument & { ProcessorConfig?: unknown };
    const selector = state.ItemSelector ?? state.Parameters;
    const limit = Number(state.MaxConcurrency ?? 0) || items.length;
    const results: Json[] = new Array<Json>(items.length);
    let next = 0;
    let failed: StatesError | undefined;
    const worker = async (): Promise<void> => {
      while (failed === undefined && next < items.length) {
        const index = next++;
        const item = { Map: { Item: { Index: index, Value: items[index] as Json } } };
        const itemInput = selector !== undefined ? applyTemplate(selector, effective, { ...(ctx as object), ...item }) : (items[index] as Json);
        const iteration = record('MapIterationStarted', { name, index });
        try {
          results[index] = await run(processor, itemInput, item);
          record('MapIterationSucceeded', { name, index }, iteration);
        } catch (err) {
          record('MapIterationFailed', { name, index }, iteration);
          // One failed iteration fails the Map; iterations not yet started never start.
          failed ??= asStatesError(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failed !== undefined) throw failed;
    return results;
  }

  return withTimeout(definition.TimeoutSeconds, 'the execution', run(definition, input));
}

function withTimeout<T>(seconds: number | undefined, what: string, work: Promise<T>): Promise<T> {
  if (seconds === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StatesError('States.Timeout', `${what} ran longer than ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function choiceMatches(rule: Record<string, unknown>, input: Json, context: Json): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Record<string, unknown>[]).every((r) => choiceMatches(r, input, context));
  if (Array.isArray(rule.Or)) return (rule.Or as Record<string, unknown>[]).some((r) => choiceMatches(r, input, context));
  if (rule.Not !== undefined) return !choiceMatches(rule.Not as Record<string, unknown>, input, context);
  const variable = String(rule.Variable);
  let value: Json | undefined;
  try {
    value = readPath(variable, input, context);
  } catch {
    value = undefined;
  }
  const operator = COMPARISONS.find((op) => op in rule);
  if (operator === undefined) throw new AslUnsupported(`Choice rule on ${variable}: only ${COMPARISONS.join(', ')}, And, Or, Not are implemented locally`);
  const expected = operator.endsWith('Path') ? readPath(String(rule[operator]), input, context) : (rule[operator] as Json);
  switch (operator) {
    case 'IsPresent':
      return (value !== undefined) === expected;
    case 'IsNull':
      return (value === null) === expected;
    case 'IsString':
      return (typeof value === 'string') === expected;
    case 'IsNumeric':
      return (typeof value === 'number') === expected;
    case 'IsBoolean':
      return (typeof value === 'boolean') === expected;
    case 'StringEquals':
    case 'StringEqualsPath':
      return typeof value === 'string' && value === expected;
    case 'BooleanEquals':
      return typeof value === 'boolean' && value === expected;
    default: {
      if (typeof value !== 'number' || typeof expected !== 'number') return false;
      if (operator.startsWith('NumericEquals')) return value === expected;
      if (operator === 'NumericLessThan') return value < expected;
      if (operator === 'NumericLessThanEquals') return value <= expected;
      if (operator === 'NumericGreaterThan') return value > expected;
      return value >= expected;
    }
  }
}
