/**
 * Every tunable setting has one declaration (contract/settings.ts): every function that reads
 * it and the module variable that sets it agree on its default, its range and its doc text.
 */
import { isIntegerSetting, OIDC_SETTINGS, SETTINGS, type Setting, type SettingName, type TextSetting } from '../../../contract/settings';
import { FUNCTION_ENV } from '../../../contract/env';
import { parseAuthConfig } from '../../../handlers/auth/config';
import { ConfigError } from '../../../handlers/core/errors';
import { parseFilesConfig } from '../../../handlers/files/config';
import { parseMoveConfig } from '../../../handlers/move/config';
import { parseProcessConfig } from '../../../handlers/process/config';
import { parseSharesConfig } from '../../../handlers/shares/config';
import { parseSweepConfig } from '../../../handlers/sweep/config';
import { parseScrubConfig } from '../../../handlers/scrub/config';
import { parseTranscodeConfig } from '../../../handlers/transcode/config';
import { parseAuthorizerConfig } from '../../../handlers/authorizer/config';
import { parseUploadsConfig } from '../../../handlers/uploads/config';
import { VARIABLES } from '../../../modules/stacks/variables';

type Env = Record<string, string>;
const auth = (env: Env) => parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET: 'x'.repeat(32), ...env });
const files = (env: Env) => parseFilesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', MOVE_FUNCTION_NAME: 'm', ...env });
const shares = (env: Env) => parseSharesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env });
const uploads = (env: Env) => parseUploadsConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env });
const processing = (env: Env) => parseProcessConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', VIDEO_WORKFLOW_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:v', ...env });
const move = (env: Env) => parseMoveConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env });
const sweep = (env: Env) => parseSweepConfig({ TABLE_NAME: 't', ...env });
const scrub = (env: Env) => parseScrubConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env });
const transcode = (env: Env) => parseTranscodeConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env });

/** Each setting as every function that reads it parses it. */
const readers: Record<SettingName, readonly ((env: Env) => number | boolean)[]> = {
  tokenTtlSeconds: [(env) => auth(env).tokenTtlSeconds],
  refreshTokenTtlSeconds: [(env) => auth(env).refreshTokenTtlSeconds],
  loginMaxFailures: [(env) => auth(env).throttle.maxFailures, (env) => shares(env).loginMaxFailures],
  loginLockoutSeconds: [(env) => auth(env).throttle.lockoutSeconds, (env) => shares(env).loginLockoutSeconds],
  maxUsers: [(env) => auth(env).maxUsers],
  maxUploadBytes: [(env) => uploads(env).maxUploadBytes],
  multipartThresholdBytes: [(env) => uploads(env).multipartThresholdBytes],
  uploadUrlTtlSeconds: [(env) => uploads(env).uploadUrlTtlSeconds],
  viewUrlTtlSeconds: [(env) => files(env).viewUrlTtlSeconds, (env) => shares(env).viewUrlTtlSeconds],
  moveJobThresholdBytes: [(env) => files(env).moveJobThresholdBytes],
  shareMaxDays: [(env) => files(env).shareMaxDays],
  shareAllowNever: [(env) => files(env).shareAllowNever],
  trashRetentionDays: [(env) => files(env).trashRetentionDays, (env) => move(env).trashRetentionDays],
  shareExpiryReminders: [(env) => sweep(env).expiryReminders],
  videoPosters: [(env) => processing(env).videoPosters],
  exposeGps: [(env) => processing(env).exposeGps],
  scrubPeriodDays: [(env) => scrub(env).periodDays],
  videoCopiesEnabled: [(env) => processing(env).videoCopiesEnabled],
  videoMaxHeight: [(env) => processing(env).videoMaxHeight, (env) => transcode(env).maxHeight],
  videoSegmentSeconds: [(env) => transcode(env).segmentSeconds],
  localLoginEnabled: [(env) => auth(env).localLoginEnabled],
};

type VariableView = { readonly kind: string; readonly description: string; readonly default: unknown; readonly validation?: unknown };
const variableOf = (spec: Setting): VariableView => (VARIABLES as unknown as Record<string, VariableView>)[spec.variable]!;

describe.each(Object.entries(SETTINGS) as [SettingName, Setting][])('the setting %s', (name, spec) => {
  const parsers = readers[name];

  it('is read by the functions its environment variable is given to', () => {
    const given = Object.entries(FUNCTION_ENV).filter(([, vars]) => (vars as readonly string[]).includes(spec.env));
    expect(given.length).toBeGreaterThan(0);
    expect(parsers.length).toBe(given.length);
  });

  it('has the same default in every function that reads it and in its module variable, with the declared description', () => {
    for (const read of parsers) expect(read({})).toBe(spec.default);
    expect(variableOf(spec).default).toBe(spec.default);
    expect(variableOf(spec).description).toBe(spec.description);
    expect(variableOf(spec).kind).toBe(isIntegerSetting(spec) ? 'number' : 'bool');
  });

  it('has the same range in every function that reads it and in its module variable', () => {
    if (!isIntegerSetting(spec)) {
      for (const read of parsers) {
        expect(read({ [spec.env]: String(!spec.default) })).toBe(!spec.default);
        expect(() => read({ [spec.env]: 'maybe' })).toThrow(ConfigError);
      }
      expect(variableOf(spec).validation).toBeUndefined();
      return;
    }
    for (const read of parsers) {
      expect(read({ [spec.env]: String(spec.min) })).toBe(spec.min);
      expect(read({ [spec.env]: String(spec.max) })).toBe(spec.max);
      expect(() => read({ [spec.env]: String(spec.min - 1) })).toThrow(ConfigError);
      expect(() => read({ [spec.env]: String(spec.max + 1) })).toThrow(ConfigError);
    }
    const validation = JSON.stringify(variableOf(spec).validation);
    expect(validation).toContain(`var.${spec.variable} >= ${spec.min} && var.${spec.variable} <= ${spec.max}`);
  });
});

describe.each(Object.entries(OIDC_SETTINGS) as [string, TextSetting][])('the identity provider setting %s', (_name, spec) => {
  it('is given to some function, and its module variable has the declared type, default and description', () => {
    expect(Object.values(FUNCTION_ENV).some((vars) => (vars as readonly string[]).includes(spec.env))).toBe(true);
    expect(variableOf(spec as unknown as Setting).kind).toBe(spec.kind);
    expect(variableOf(spec as unknown as Setting).default).toEqual(spec.default);
    expect(variableOf(spec as unknown as Setting).description).toBe(spec.description);
  });
});

describe('the identity provider settings as the functions read them', () => {
  const provider = { OIDC_ISSUER_URL: 'https://login.example.com', OIDC_CLIENT_ID: 'media-store', OIDC_CLIENT_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s' };

  it('take the declared defaults when unset: role claim, scopes, no folders claim', () => {
    const signIn = auth(provider).provider;
    const machines = parseAuthorizerConfig({ TABLE_NAME: 't', JWT_SECRET: 'x'.repeat(32), OIDC_ISSUER_URL: provider.OIDC_ISSUER_URL, OIDC_AUDIENCE: 'api://media-store' });
    expect(signIn?.policy.roles.roleClaim).toBe(OIDC_SETTINGS.roleClaim.default);
    expect(signIn?.client.scopes).toEqual([...OIDC_SETTINGS.scopes.default]);
    expect(signIn?.policy.foldersClaim).toBe(OIDC_SETTINGS.foldersClaim.default);
    expect(JSON.stringify(machines)).toContain(`"roleClaim":"${OIDC_SETTINGS.roleClaim.default}"`);
  });
});
