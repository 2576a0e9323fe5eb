/**
 * Settings read by more than one function, each with its one default and range: the handlers'
 * config parsers, the module's variables (default and validation) and the generated docs all
 * read them from here. Pure data.
 */
export interface IntegerSetting {
  /** The environment variable the functions read. */
  readonly env: string;
  /** The module variable that sets it. */
  readonly variable: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export const SETTINGS = {
  /** Password attempts per (user, source) and per (share, source) before a lockout. */
  loginMaxFailures: { env: 'LOGIN_MAX_FAILURES', variable: 'login_max_failures', default: 5, min: 1, max: 100 },
  /** How long a lockout lasts, seconds. */
  loginLockoutSeconds: { env: 'LOGIN_LOCKOUT_SECONDS', variable: 'login_lockout_seconds', default: 900, min: 1, max: 24 * 3600 },
} as const satisfies Record<string, IntegerSetting>;
