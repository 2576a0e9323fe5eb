/** The shares function's configuration, parsed once at cold start. */
import { type Env, logLevel, type LogLevel, requiredString, setting } from '../core/env';
import { SETTINGS } from '../../contract/settings';

interface SharesConfig {
  readonly tableName: string;
  readonly bucketName: string;
  /** Longest life of a URL signed for a visitor (never past the share's end). @default 3600 */
  readonly viewUrlTtlSeconds: number;
  readonly logLevel: LogLevel;
  /** Wrong share passwords before a share refuses guesses (the login rule). @default 5 */
  readonly loginMaxFailures: number;
  /** @default 900 */
  readonly loginLockoutSeconds: number;
  /** The web app's `index.html` for share pages; empty: a bare page. @default "" */
  readonly appShell: string;
}

export function parseSharesConfig(env: Env): SharesConfig {
  return {
    tableName: requiredString(env, 'TABLE_NAME'),
    bucketName: requiredString(env, 'BUCKET_NAME'),
    viewUrlTtlSeconds: setting(env, SETTINGS.viewUrlTtlSeconds),
    logLevel: logLevel(env),
    loginMaxFailures: setting(env, SETTINGS.loginMaxFailures),
    loginLockoutSeconds: setting(env, SETTINGS.loginLockoutSeconds),
    appShell: env.APP_SHELL_HTML ?? '',
  };
}
