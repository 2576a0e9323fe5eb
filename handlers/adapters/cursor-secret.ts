/**
 * The key listing cursors are sealed with: a secret of its own (`CURSOR_SECRET_ARN`), not the
 * JWT signing key, so the files function cannot mint tokens. The module creates it without a
 * value; the first listing puts one with a fixed ClientRequestToken (concurrent cold starts
 * converge on the first value, as for the JWT key). A new AWSCURRENT version reaches warm
 * functions within `maxAgeSeconds`; cursors sealed with the old one are then refused (400).
 */
import { requiredString, type Env } from '../core/env';
import { jwtKeys, type JwtKeysOptions } from './jwt-secret';

export const INITIAL_CURSOR_KEY_REQUEST_TOKEN = 'media-store-initial-cursor-key-0001';

/** The current cursor secret, read (and created when missing) on first use. */
export function cursorSecret(env: Env, options: Pick<JwtKeysOptions, 'client' | 'maxAgeSeconds' | 'now'> = {}): () => Promise<string | Buffer> {
  const arn = requiredString(env, 'CURSOR_SECRET_ARN');
  const keys = jwtKeys({ kind: 'arn', arn }, { ...options, createIfMissing: true, variable: 'CURSOR_SECRET_ARN', initialRequestToken: INITIAL_CURSOR_KEY_REQUEST_TOKEN });
  return async () => (await keys.signingKey()).secret;
}
