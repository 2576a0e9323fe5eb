/** Lambda entry point: API Gateway HTTP API REQUEST authorizer. */
import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { createLogger } from '../core/logger';
import { jwtSecretLoader } from '../adapters/jwt-secret';
import { authorize, type AuthorizerResult } from './authorize';
import { parseAuthorizerConfig } from './config';

const config = parseAuthorizerConfig(process.env);
const logger = createLogger({ level: config.logLevel, fields: { fn: 'authorizer' } });
const loadSecret = jwtSecretLoader(config.secret);

export const handler = (event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> =>
  authorize(event, { loadSecret, issuer: config.issuer, logger });
