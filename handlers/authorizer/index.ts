/** Lambda entry point: API Gateway HTTP API REQUEST authorizer. */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { createLogger } from '../core/logger';
import { jwtKeys } from '../adapters/jwt-secret';
import { sessionStateReader } from '../adapters/session-versions';
import { authorize, type AuthorizerResult } from './authorize';
import { parseAuthorizerConfig } from './config';
import { providerKeys } from '../adapters/provider-keys';

const config = parseAuthorizerConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'authorizer' } });
const keys = jwtKeys(config.secret);
const sessionOf = sessionStateReader(config.tableName);
const provider = config.provider !== undefined ? { policy: config.provider, keys: providerKeys(config.provider.issuer) } : undefined;

export const handler = (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> =>
  authorize(event, { keys: keys.verificationKey, sessionOf, issuer: config.issuer, ...(provider !== undefined ? { provider } : {}), logger });
