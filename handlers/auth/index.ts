/** Lambda entry point: login, sessions, users and health. */
import { createLogger } from '../core/logger';
import { prepareDummyHash } from '../core/password';
import { DynamoAttemptCounter } from '../adapters/attempt-counter';
import { jwtKeys } from '../adapters/jwt-secret';
import { SessionsRepository } from '../adapters/sessions-repository';
import { UsersRepository } from '../adapters/users-repository';
import { originSecrets } from '../adapters/origin-secret';
import { createApiHandler } from '../http/api-handler';
import { parseAuthConfig, SIGNING_KEY_MAX_AGE_SECONDS } from './config';
import { authRoutes } from './routes';
import { PendingSignIns } from '../adapters/pending-sign-ins';
import { providerClient } from '../adapters/oidc-client';

const config = parseAuthConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'auth' } });
const users = new UsersRepository({ tableName: config.tableName });
// Pay for the unknown-user dummy hash now, not on the first unknown user's login.
prepareDummyHash().catch((error: unknown) => logger.error('dummy hash failed', { error }));

export const handler = createApiHandler(
  authRoutes({
    users,
    attempts: new DynamoAttemptCounter({ tableName: config.tableName }),
    sessions: new SessionsRepository({ tableName: config.tableName }),
    // The signer re-reads AWSCURRENT often, so new tokens use a rotated key within seconds.
    keys: jwtKeys(config.secret, { createIfMissing: true, maxAgeSeconds: SIGNING_KEY_MAX_AGE_SECONDS }),
    issuer: config.issuer,
    tokenTtlSeconds: config.tokenTtlSeconds,
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    throttle: config.throttle,
    maxUsers: config.maxUsers,
    localLoginEnabled: config.localLoginEnabled,
    ...(config.provider !== undefined
      ? { providerSignIn: { users, pendingSignIns: new PendingSignIns({ tableName: config.tableName }), provider: providerClient(config.provider.client), policy: config.provider.policy } }
      : {}),
    logger,
  }),
  logger,
  // Behind the site's CloudFront, the viewer's address (only with the origin secret).
  { originSecrets: originSecrets(process.env) },
);
