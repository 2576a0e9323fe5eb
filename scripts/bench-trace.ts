/**
 * Chromium traces for the web benches (bench:web, bench:timeline): the renderer main thread's
 * top-level tasks with their wall time and thread CPU time, so a figure measured on a shared
 * machine tells the app's own work from the time its thread waited for a core.
 */
import type { CDPSession } from 'playwright-core';

export interface TraceEvent {
  readonly name: string;
  readonly cat: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly tdur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string };
}

export interface TraceTask {
  readonly wallMs: number;
  /** Thread CPU time: the task's own work, without the time its thread waited for a core. */
  readonly cpuMs: number;
  /** Time in script, style, layout and paint events within the task (wall; an event inside another of its kind is not counted again). */
  readonly inside: Record<string, number>;
}

/** Records Chromium's trace (top-level tasks and the DevTools timeline events) until `stop`. */
export async function startTrace(cdp: CDPSession): Promise<{ stop(): Promise<TraceEvent[]> }> {
  const events: TraceEvent[] = [];
  let complete: () => void = () => undefined;
  const completed = new Promise<void>((resolve) => (complete = resolve));
  cdp.on('Tracing.dataCollected', (e) => void events.push(...(e.value as unknown as TraceEvent[])));
  cdp.on('Tracing.tracingComplete', () => complete());
  await cdp.send('Tracing.start', { categories: 'toplevel,devtools.timeline', transferMode: 'ReportEvents' });
  return {
    async stop() {
      await cdp.send('Tracing.end');
      await completed;
      return events;
    },
  };
}

const KIND_OF_EVENT: Readonly<Record<string, string>> = {
  FunctionCall: 'script', EvaluateScript: 'script', TimerFire: 'script', FireAnimationFrame: 'script', EventDispatch: 'script',
  UpdateLayoutTree: 'style', Layout: 'layout', Paint: 'paint', PrePaint: 'paint', Layerize: 'paint', Commit: 'paint',
};

/** The page's main-thread tasks: the renderer main thread doing the most work. */
export function rendererTasks(events: readonly TraceEvent[]): TraceTask[] {
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && mains.has(thread)) byThread.set(thread, [...(byThread.get(thread) ?? []), e]);
  }
  const busiest = [...byThread.values()].sort((a, b) => b.length - a.length)[0] ?? [];
  const runs = busiest.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  return runs.map((task) => {
    const end = task.ts + (task.dur ?? 0);
    const inside: Record<string, number> = {};
    const counted: Record<string, number> = {};
    for (const e of busiest) {
      const kind = KIND_OF_EVENT[e.name];
      if (!kind || e.ts < task.ts || e.ts >= end || e.ts < (counted[kind] ?? 0)) continue;
      inside[kind] = (inside[kind] ?? 0) + (e.dur ?? 0) / 1000;
      counted[kind] = e.ts + (e.dur ?? 0);
    }
    return { wallMs: (task.dur ?? 0) / 1000, cpuMs: (task.tdur ?? task.dur ?? 0) / 1000, inside };
  });
}

interface ThreadCpu {
  /** `process / thread`, as Chromium names them (e.g. `Renderer / DedicatedWorker thread`). */
  readonly thread: string;
  /** Thread CPU time of its top-level tasks. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Every traced thread's top-level tasks summed, busiest first: where the CPU went. */
export function threadCpu(events: readonly TraceEvent[]): ThreadCpu[] {
  const processNames = new Map<number, string>();
  const threadNames = new Map<string, string>();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'process_name') processNames.set(e.pid, e.args?.name ?? String(e.pid));
    if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? String(e.tid));
  }
  const totals = new Map<string, { cpuMs: number; wallMs: number }>();
  // A task inside another of the same thread (RunTask within ThreadControllerImpl::RunTask) is not counted again.
  const endOf = new Map<string, number>();
  const tasks = events.filter((e) => e.ph === 'X' && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask')).sort((a, b) => a.ts - b.ts);
  for (const e of tasks) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.ts < (endOf.get(thread) ?? 0)) continue;
    endOf.set(thread, e.ts + (e.dur ?? 0));
    const key = `${processNames.get(e.pid) ?? e.pid} / ${threadNames.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
    const total = totals.get(key) ?? { cpuMs: 0, wallMs: 0 };
    total.cpuMs += (e.tdur ?? e.dur ?? 0) / 1000;
    total.wallMs += (e.dur ?? 0) / 1000;
    totals.set(key, total);
  }
  return [...totals].map(([thread, t]) => ({ thread, ...t })).sort((a, b) => b.cpuMs - a.cpuMs);
}
