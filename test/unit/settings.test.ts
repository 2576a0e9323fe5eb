/**
 * A setting read by several functions has one default and one range (contract/settings.ts):
 * every function that reads it, and the module variable that sets it, agree on both.
 */
import { SETTINGS } from '../../contract/settings';
import { parseAuthConfig } from '../../handlers/auth/config';
import { ConfigError } from '../../handlers/core/errors';
import { parseSharesConfig } from '../../handlers/shares/config';
import { VARIABLES } from '../../modules/stacks/variables';

const readers = {
  loginMaxFailures: [
    (env: Record<string, string>) => parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET: 'x'.repeat(32), ...env }).throttle.maxFailures,
    (env: Record<string, string>) => parseSharesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env }).loginMaxFailures,
  ],
  loginLockoutSeconds: [
    (env: Record<string, string>) => parseAuthConfig({ TABLE_NAME: 't', JWT_SECRET: 'x'.repeat(32), ...env }).throttle.lockoutSeconds,
    (env: Record<string, string>) => parseSharesConfig({ TABLE_NAME: 't', BUCKET_NAME: 'b', ...env }).loginLockoutSeconds,
  ],
} as const;

describe.each(Object.entries(SETTINGS))('the setting %s', (name, spec) => {
  const parsers = readers[name as keyof typeof readers];

  it('has the same default in every function that reads it and in its module variable', () => {
    for (const read of parsers) expect(read({})).toBe(spec.default);
    expect(VARIABLES[spec.variable as keyof typeof VARIABLES].default).toBe(spec.default);
  });

  it('has the same range in every function that reads it and in its module variable', () => {
    for (const read of parsers) {
      expect(read({ [spec.env]: String(spec.min) })).toBe(spec.min);
      expect(read({ [spec.env]: String(spec.max) })).toBe(spec.max);
      expect(() => read({ [spec.env]: String(spec.min - 1) })).toThrow(ConfigError);
      expect(() => read({ [spec.env]: String(spec.max + 1) })).toThrow(ConfigError);
    }
    const variable = VARIABLES[spec.variable as keyof typeof VARIABLES] as { readonly validation?: unknown };
    const validation = JSON.stringify(variable.validation);
    expect(validation).toContain(`>= ${spec.min} && var.${spec.variable} <= ${spec.max}`);
  });
});
