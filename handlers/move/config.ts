/** The move function's configuration, parsed once at cold start. */
import { logLevel, requiredString, type Env, type LogLevel } from '../core/env';

export interface MoveConfig {
  readonly tableName: string;
  readonly bucketName: string;
  readonly logLevel: LogLevel;
}

export function parseMoveConfig(env: Env): MoveConfig {
  return { tableName: requiredString(env, 'TABLE_NAME'), bucketName: requiredString(env, 'BUCKET_NAME'), logLevel: logLevel(env) };
}
