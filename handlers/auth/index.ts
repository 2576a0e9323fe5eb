/** Lambda entry point: login and health. */
import { createLogger } from '../core/logger';
import { prepareDummyHash } from '../core/password';
import { jwtSecretLoader } from '../adapters/jwt-secret';
import { UsersRepository } from '../adapters/users-repository';
import { createApiHandler } from '../http/api-handler';
import { parseAuthConfig } from './config';
import { authRoutes } from './routes';

const config = parseAuthConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'auth' } });
// Pay for the unknown-user dummy hash now, not on the first unknown user's login.
prepareDummyHash().catch((error: unknown) => logger.error('dummy hash failed', { error }));

export const handler = createApiHandler(
  authRoutes({
    users: new UsersRepository({ tableName: config.tableName }),
    loadSecret: jwtSecretLoader(config.secret),
    issuer: config.issuer,
    tokenTtlSeconds: config.tokenTtlSeconds,
    throttle: config.throttle,
    maxUsers: config.maxUsers,
    logger,
  }),
  logger,
);
