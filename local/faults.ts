/**
 * Fault injection in the local emulators: DynamoDB, S3 and SNS answer a chosen share of the
 * calls they would have served with what AWS answers under trouble — throttling, an internal
 * error, or no answer at all (a timeout: the connection is dropped after `timeoutMs`) — so that
 * tests and benches can show that uploads, moves, deletes and processing complete or fail
 * cleanly and lose nothing.
 *
 * Deterministic: each service draws from its own PRNG seeded with `seed`, so a run with the
 * same seed and the same order of calls meets the same faults. `MEDIA_STORE_FAULTS` (npm start)
 * or the `faults` option of the stack take `rate=0.05,seed=7[,services=dynamodb+s3+sns][,kinds=throttle+error+timeout][,timeoutMs=2000]`.
 *
 * Where each fault strikes: throttling and internal errors refuse the call before it is
 * applied (AWS refuses throttled calls unapplied). A DynamoDB or SNS timeout drops the answer
 * after the call was applied — the hard case, where the caller cannot know whether its write
 * happened; an S3 timeout drops the request before s3rver sees it (s3rver streams bodies).
 */

const FAULT_SERVICES = ['dynamodb', 's3', 'sns'] as const;
const FAULT_KINDS = ['throttle', 'error', 'timeout'] as const;
type FaultService = (typeof FAULT_SERVICES)[number];
type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  /** Share of calls that fail, 0 to 1. */
  readonly rate: number;
  /** @default 1 */
  readonly seed?: number;
  /** @default every service */
  readonly services?: readonly FaultService[];
  /** Drawn evenly. @default every kind */
  readonly kinds?: readonly FaultKind[];
  /** How long a timed-out call hangs before its connection is dropped. @default 2000 */
  readonly timeoutMs?: number;
}

export class FaultSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FaultSpecError';
  }
}

/** Parses `rate=0.05,seed=7,services=dynamodb+s3,kinds=throttle+error,timeoutMs=1500`; throws FaultSpecError naming the bad part. */
export function parseFaultSpec(spec: string): FaultOptions {
  const fields = new Map<string, string>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0 || !name) throw new FaultSpecError(`fault spec "${part}" is not name=value`);
    if (!['rate', 'seed', 'services', 'kinds', 'timeoutMs'].includes(name)) throw new FaultSpecError(`unknown fault setting "${name}" (rate, seed, services, kinds, timeoutMs)`);
    fields.set(name, value);
  }
  const rate = Number(fields.get('rate'));
  if (!fields.has('rate') || !Number.isFinite(rate) || rate < 0 || rate > 1) throw new FaultSpecError(`fault rate must be a number from 0 to 1, got ${JSON.stringify(fields.get('rate') ?? '')}`);
  const integer = (name: string, min: number): number | undefined => {
    const raw = fields.get(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) throw new FaultSpecError(`fault ${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    return value;
  };
  const listOf = <T extends string>(name: string, allowed: readonly T[]): T[] | undefined => {
    const raw = fields.get(name);
    if (raw === undefined) return undefined;
    const values = raw.split('+').filter(Boolean);
    const unknown = values.filter((v) => !allowed.includes(v as T));
    if (values.length === 0 || unknown.length > 0) throw new FaultSpecError(`fault ${name} must be ${allowed.join('+')} (any of them), got ${JSON.stringify(raw)}`);
    return values as T[];
  };
  const seed = integer('seed', 0);
  const timeoutMs = integer('timeoutMs', 1);
  const services = listOf('services', FAULT_SERVICES);
  const kinds = listOf('kinds', FAULT_KINDS);
  return { rate, ...(seed !== undefined ? { seed } : {}), ...(services ? { services } : {}), ...(kinds ? { kinds } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** mulberry32: small, fast, good enough to spread faults. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultInjector {
  /** The fault for the next call to `service`, or undefined to serve it. */
  next(service: FaultService): FaultKind | undefined;
  /** How long a timed-out call hangs. */
  readonly timeoutMs: number;
  /** Changes the faults from now on (`undefined` or rate 0: none); each service's PRNG starts again from the seed. */
  set(options: FaultOptions | undefined): void;
  /** Faults injected so far, by service and kind. */
  counts(): Record<FaultService, Record<FaultKind, number>>;
  /** Calls seen so far (faulty or not), by service. */
  calls(): Record<FaultService, number>;
}

export function faultInjector(initial?: FaultOptions): FaultInjector {
  let options: FaultOptions | undefined;
  let draws = new Map<FaultService, () => number>();
  const counts = Object.fromEntries(FAULT_SERVICES.map((s) => [s, Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]))])) as Record<FaultService, Record<FaultKind, number>>;
  const calls = Object.fromEntries(FAULT_SERVICES.map((s) => [s, 0])) as Record<FaultService, number>;
  const injector: FaultInjector = {
    get timeoutMs() {
      return options?.timeoutMs ?? 2000;
    },
    set(next) {
      options = next && next.rate > 0 ? next : undefined;
      // One stream per service, so that S3's traffic does not shift DynamoDB's faults.
      draws = new Map(FAULT_SERVICES.map((service, i) => [service, prng(((next?.seed ?? 1) * 0x9e3779b1 + i * 0x85ebca6b) >>> 0)]));
    },
    next(service) {
      calls[service] += 1;
      if (options === undefined || (options.services && !options.services.includes(service))) return undefined;
      const draw = draws.get(service)!;
      const roll = draw();
      if (roll >= options.rate) return undefined;
      const kinds = options.kinds ?? FAULT_KINDS;
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(draw() * kinds.length))]!;
      counts[service][kind] += 1;
      return kind;
    },
    counts: () => structuredClone(counts),
    calls: () => ({ ...calls }),
  };
  injector.set(initial);
  return injector;
}

/** Describes the faults for a log line. */
export function describeFaults(options: FaultOptions): string {
  return `${(options.rate * 100).toFixed(1)} % of calls to ${(options.services ?? FAULT_SERVICES).join(', ')} fail (${(options.kinds ?? FAULT_KINDS).join(', ')}; seed ${options.seed ?? 1}${(options.kinds ?? FAULT_KINDS).includes('timeout') ? `, timeouts ${options.timeoutMs ?? 2000} ms` : ''})`;
}

/**
 * A timed-out call: whatever the server answers is swallowed, and the connection is dropped
 * after `ms` (the caller sees a reset socket, as after a client-side timeout).
 */
export function dropAfter(res: import('node:http').ServerResponse, ms: number): void {
  const socket = res.socket;
  res.writeHead = (() => res) as typeof res.writeHead;
  res.write = (() => true) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    callback?.();
    return res;
  }) as typeof res.end;
  setTimeout(() => socket?.destroy(), ms).unref();
}
