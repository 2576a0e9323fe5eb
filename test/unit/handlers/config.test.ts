import { parseAuthConfig } from '../../../handlers/auth/config';
import { parseAuthorizerConfig } from '../../../handlers/authorizer/config';
import { ConfigError } from '../../../handlers/core/errors';
import { parseFilesConfig } from '../../../handlers/files/config';
import { parseMoveConfig } from '../../../handlers/move/config';
import { parseSyncConfig } from '../../../handlers/sync/config';
import { MAX_OBJECT_SIZE } from '../../../contract/multipart';
import { DEFAULT_MULTIPART_THRESHOLD_BYTES, MAX_SINGLE_PUT_BYTES, parseUploadsConfig } from '../../../handlers/uploads/config';

const SECRET = 'x'.repeat(32);

describe('function config', () => {
  it('applies the documented defaults', () => {
    expect(parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'arn:secret' })).toEqual({
      tableName: 't',
      secret: { kind: 'arn', arn: 'arn:secret' },
      issuer: 'media-store',
      tokenTtlSeconds: 300,
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      throttle: { maxFailures: 5, lockoutSeconds: 900 },
      maxUsers: 10,
      localLoginEnabled: true,
      logLevel: 'info',
    });
    expect(parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b' })).toMatchObject({
      allowedContentTypes: ['image/*', 'video/*'],
      maxUploadBytes: MAX_SINGLE_PUT_BYTES,
      multipartThresholdBytes: DEFAULT_MULTIPART_THRESHOLD_BYTES,
      uploadUrlTtlSeconds: 900,
    });
    expect(parseFilesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', MOVE_FUNCTION_NAME: 'm' })).toMatchObject({ viewUrlTtlSeconds: 3600, moveFunctionName: 'm', moveJobThresholdBytes: 128 * 1024 ** 2, trashRetentionDays: 30 });
    expect(parseMoveConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b' })).toEqual({ tableName: 't', bucketName: 'b', logLevel: 'info', trashRetentionDays: 30 });
    expect(parseSyncConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', TOPIC_ARN: '' })).toEqual({ tableName: 't', bucketName: 'b', logLevel: 'info' });
  });

  it('signs in through an identity provider only when its issuer and client are set, reading the secret by ARN (none: a public client)', () => {
    const oidc = { OIDC_ISSUER_URL: 'https://login.example.com', OIDC_CLIENT_ID: 'media-store', OIDC_CLIENT_SECRET_ARN: 'arn:oidc', OIDC_SCOPES: 'profile groups', OIDC_ROLE_MAPPING: '{"staff":"viewer"}' };
    expect(parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'a', OIDC_ISSUER_URL: '' }).provider).toBeUndefined();
    expect(parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'a', ...oidc, LOCAL_LOGIN_ENABLED: 'false' })).toMatchObject({
      localLoginEnabled: false,
      provider: { client: { issuer: 'https://login.example.com', clientId: 'media-store', clientSecretArn: 'arn:oidc', scopes: ['openid', 'profile', 'groups'] }, policy: { roles: { roleClaim: 'groups', mapping: { staff: 'viewer' } }, foldersClaim: '' } },
    });
    // No secret ARN: a public client (PKCE only), as the module's Cognito pool's web client is.
    expect(parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'a', ...oidc, OIDC_CLIENT_SECRET_ARN: '' }).provider?.client.clientSecretArn).toBe('');
    expect(parseAuthorizerConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'a', OIDC_ISSUER_URL: 'https://login.example.com' }).provider).toBeUndefined();
    expect(parseAuthorizerConfig({ TABLE_NAME: 't', JWT_SECRET_ARN: 'a', OIDC_ISSUER_URL: 'https://login.example.com', OIDC_AUDIENCE: 'api://m' }).provider).toMatchObject({ issuer: 'https://login.example.com', audience: 'api://m' });
  });

  it('prefers JWT_SECRET (tests and tools) over the ARN', () => {
    expect(parseAuthorizerConfig({ TABLE_NAME: 't', JWT_SECRET: SECRET, JWT_SECRET_ARN: 'arn' }).secret).toEqual({ kind: 'value', value: SECRET });
  });

  it.each([
    ['TABLE_NAME', () => parseAuthConfig({ JWT_SECRET: SECRET })],
    ['JWT_SECRET_ARN', () => parseAuthorizerConfig({ TABLE_NAME: 't' })],
    ['TABLE_NAME', () => parseAuthorizerConfig({ JWT_SECRET_ARN: 'arn' })],
    ['BUCKET_NAME', () => parseFilesConfig({ TABLE_NAME: 't' })],
    ['MOVE_FUNCTION_NAME', () => parseFilesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b' })],
    ['JWT_SECRET', () => parseAuthorizerConfig({ TABLE_NAME: 't', JWT_SECRET: 'short' })],
    ['MAX_UPLOAD_BYTES', () => parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', MAX_UPLOAD_BYTES: 'lots' })],
    ['MAX_UPLOAD_BYTES', () => parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', MAX_UPLOAD_BYTES: String(MAX_OBJECT_SIZE + 1) })],
    ['MULTIPART_THRESHOLD_BYTES', () => parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', MULTIPART_THRESHOLD_BYTES: String(MAX_SINGLE_PUT_BYTES + 2) })],
    ['ALLOWED_CONTENT_TYPES', () => parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ALLOWED_CONTENT_TYPES: 'images' })],
    ['LOGIN_MAX_FAILURES', () => parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET: SECRET, LOGIN_MAX_FAILURES: '0' })],
    ['LOG_LEVEL', () => parseSyncConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', LOG_LEVEL: 'loud' })],
  ])('fails loudly naming %s', (variable, parse) => {
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow(variable);
  });
});
