/**
 * Just enough of EventBridge for the local stack: each `aws_cloudwatch_event_rule` of the plan
 * with a `rate(...)` schedule invokes its `aws_cloudwatch_event_target` functions on that
 * period, with a "Scheduled Event" like EventBridge's. Tests set `intervalMs` to run the
 * schedule every second instead of every hour. Runs of one rule never overlap (as with a
 * function that finishes within its period); a failed run is logged, and the next one comes.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from './log';
import { PlanError, type PlanValue, type SynthesizedPlan } from './plan';

export interface LocalSchedule {
  /** Logical name of the rule. */
  readonly rule: string;
  readonly expression: string;
  readonly periodMs: number;
  /** Logical names of the target `aws_lambda_function`s. */
  readonly functionResources: readonly string[];
}

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };

/** `rate(1 hour)` → 3600000; cron expressions are not emulated (a clear error). */
export function ratePeriodMs(expression: string): number {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (match === null) throw new PlanError(`schedule ${JSON.stringify(expression)} is not a rate(...) expression; the local stack runs only those`);
  return Number(match[1]) * UNIT_MS[match[2] as string]!;
}

export function schedulesFromPlan(plan: SynthesizedPlan): LocalSchedule[] {
  const targets = plan.resources('aws_cloudwatch_event_target').map(([, block]) => {
    const rule = /^\$\{aws_cloudwatch_event_rule\.([^.}]+)\.(name|id)\}$/.exec(String(block.rule ?? ''))?.[1];
    const fn = /^\$\{aws_lambda_function\.([^.}]+)\.arn\}$/.exec(String(block.arn ?? ''))?.[1];
    if (rule === undefined || fn === undefined) throw new PlanError(`event target ${String(block.arn)} of rule ${String(block.rule)} is not a function and rule of this plan`);
    return { rule, fn };
  });
  return plan
    .resources('aws_cloudwatch_event_rule')
    .filter(([, block]) => block.schedule_expression !== undefined)
    .map(([rule, block]): LocalSchedule => {
      const expression = String(plan.resolve(block.schedule_expression as PlanValue));
      return { rule, expression, periodMs: ratePeriodMs(expression), functionResources: targets.filter((t) => t.rule === rule).map((t) => t.fn) };
    });
}

export interface LocalScheduler {
  /** Skip runs until `resume` (a test's setup that must not race a run); waits for a run under way. */
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<void>;
}

export function startLocalScheduler(options: {
  readonly schedules: readonly LocalSchedule[];
  /** Name of the local function a target resource runs. */
  readonly functionOf: (resource: string) => string;
  readonly invoke: (name: string, event: unknown) => Promise<{ ok: boolean; error?: { errorType: string; errorMessage: string } }>;
  readonly region: string;
  readonly logger: Logger;
  /** Run every schedule at this period instead of its own. @default each rule's rate */
  readonly intervalMs?: number;
}): LocalScheduler {
  const { logger } = options;
  const timers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  let paused = false;
  for (const schedule of options.schedules) {
    const period = options.intervalMs ?? schedule.periodMs;
    const functions = schedule.functionResources.map(options.functionOf);
    let busy = false;
    const tick = (): void => {
      if (busy || stopped || paused) return;
      busy = true;
      const event = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: options.region,
        resources: [`arn:aws:events:${options.region}:000000000000:rule/${schedule.rule}`],
        detail: {},
      };
      const run = Promise.all(
        functions.map(async (fn) => {
          const result = await options.invoke(fn, event);
          if (!result.ok) logger.error('scheduler', `${schedule.rule} → ${fn} failed: ${result.error?.errorType}: ${result.error?.errorMessage}`);
        }),
      )
        .catch((error: unknown) => logger.error('scheduler', `${schedule.rule} failed: ${String(error)}`))
        .finally(() => {
          busy = false;
          running.delete(run);
        });
      running.add(run);
    };
    timers.push(setInterval(tick, period));
    logger.info('scheduler', `${schedule.rule} (${schedule.expression}) runs ${functions.join(', ')} every ${period} ms`);
  }
  return {
    async pause() {
      paused = true;
      await Promise.all([...running]);
    },
    resume() {
      paused = false;
    },
    async stop() {
      stopped = true;
      for (const timer of timers) clearInterval(timer);
      await Promise.all([...running]);
    },
  };
}
