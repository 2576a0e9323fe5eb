/**
 * A structured JSON logger that redacts secrets before anything reaches CloudWatch: values
 * under sensitive keys (password, token, secret, authorization, …), bearer tokens and JWTs
 * inside strings, and the signature/credential parts of presigned URLs.
 */
import type { LogLevel } from './env';

type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
export const REDACTED = '[REDACTED]';
const SENSITIVE_KEY = /pass(word|wd|phrase)?|secret|token|authorization|cookie|credential|signature|private.?key|api.?key|share.?session|share.?guest|guest.?key/i;
const STRING_RULES: readonly [RegExp, string][] = [
  [/\bBearer\s+[^\s"',]+/gi, `Bearer ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, REDACTED],
  [/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // Share links: the token in a path (`/s/<token>`, `/public/shares/<token>/…`) is the whole secret.
  [/(\/s\/|\/public\/shares\/)[^/?#\s"']+/g, `$1${REDACTED}`],
];
const MAX_DEPTH = 8;

export function redactString(value: string): string {
  return STRING_RULES.reduce((s, [pattern, replacement]) => s.replace(pattern, replacement), value);
}

/** A JSON-safe copy of `value` with secrets replaced. Errors keep name, message, code and stack. */
export function redact(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[Truncated]';
  seen.add(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) {
    const extra = value as Error & { code?: unknown; statusCode?: unknown; $metadata?: { httpStatusCode?: number } };
    return {
      name: value.name,
      message: redactString(value.message),
      ...(extra.code !== undefined ? { code: extra.code } : {}),
      ...(extra.statusCode !== undefined ? { statusCode: extra.statusCode } : {}),
      ...(extra.$metadata?.httpStatusCode !== undefined ? { httpStatusCode: extra.$metadata.httpStatusCode } : {}),
      ...(value.stack !== undefined ? { stack: redactString(value.stack) } : {}),
      ...(value.cause !== undefined ? { cause: redact(value.cause, depth + 1, seen) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) && item !== undefined && item !== null ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}

export interface LoggerOptions {
  readonly level?: LogLevel;
  readonly fields?: LogFields;
  /** Where lines go; defaults to stdout (CloudWatch). */
  readonly write?: (line: string) => void;
  readonly clock?: () => Date;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? (() => new Date());
  const base = options.fields ?? {};
  const log = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    const entry = redact({ ...base, ...fields }) as Record<string, unknown>;
    write(JSON.stringify({ level, time: clock().toISOString(), message: redactString(message), ...entry }));
  };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...options, fields: { ...base, ...fields } }),
  };
}
