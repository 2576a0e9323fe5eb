/**
 * Readers for `process.env` used by each function's config.ts. Every failure names the
 * variable, so a misconfigured function fails loudly at cold start instead of at first use.
 */
import type { BooleanSetting, IntegerSetting } from '../../contract/settings';
import { ConfigError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

function present(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function requiredString(env: Env, name: string): string {
  const value = present(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set');
  return value;
}

export function optionalString(env: Env, name: string): string | undefined;
export function optionalString(env: Env, name: string, fallback: string): string;
export function optionalString(env: Env, name: string, fallback?: string): string | undefined {
  return present(env, name) ?? fallback;
}

/** `{ [key]: value }` when the variable is set, else `{}`: an unset optional setting stays absent, not `undefined`. */
export function optionalField<K extends string>(env: Env, name: string, key: K): { readonly [P in K]?: string } {
  const value = present(env, name);
  return (value === undefined ? {} : { [key]: value }) as { readonly [P in K]?: string };
}

/** A setting of contract/settings.ts: its variable, default and range, declared once. */
export const setting = (env: Env, spec: IntegerSetting): number => integer(env, spec.env, spec.default, spec);
/** An on/off setting of contract/settings.ts: its variable and default, declared once. */
export const flag = (env: Env, spec: BooleanSetting): boolean => boolean(env, spec.env, spec.default);

function integer(env: Env, name: string, fallback: number, range: { min: number; max: number }): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a non-negative integer, got "${raw}"`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(name, `must be between ${range.min} and ${range.max}, got ${raw}`);
  }
  return value;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = present(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be "true" or "false", got "${raw}"`);
}

export function list(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new ConfigError(name, 'must list at least one value');
  return items;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function logLevel(env: Env, name = 'LOG_LEVEL'): LogLevel {
  const raw = (present(env, name) ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

/** What every function reading the catalog table is configured with. */
export interface TableFunctionConfig {
  readonly tableName: string;
  readonly logLevel: LogLevel;
}

export const tableFunctionConfig = (env: Env): TableFunctionConfig => ({ tableName: requiredString(env, 'TABLE_NAME'), logLevel: logLevel(env) });
