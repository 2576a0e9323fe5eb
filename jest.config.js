/**
 * Seven projects: pure unit tests, tests over the synthesized plan, the plan under the real
 * Terraform CLI, end-to-end over HTTP, the web app in Chromium, presigned URLs against a real S3,
 * and a new user's first commands in a fresh clone.
 */
const fs = require('node:fs');
const path = require('node:path');

const transform = {
  '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  // middy ships ES modules only: compiled to CommonJS for jest like our own sources.
  '/node_modules/@middy/.+\\.js$': ['ts-jest', { diagnostics: false, tsconfig: { allowJs: true } }],
};
const common = { testEnvironment: 'node', transform, transformIgnorePatterns: ['/node_modules/(?!@middy/)'], moduleFileExtensions: ['ts', 'js', 'json'] };

/** The terraform binary on PATH, if any (CI has /usr/local/bin/terraform; .ci/run requires it). */
const terraform = (process.env.PATH ?? '')
  .split(path.delimiter)
  .map((dir) => path.join(dir, 'terraform'))
  .find((file) => fs.existsSync(file));
if (terraform) process.env.MEDIA_STORE_TERRAFORM = terraform;
else console.warn('terraform tests not run: they need the terraform CLI on PATH (https://developer.hashicorp.com/terraform/install)');

module.exports = {
  // Logins hash with scrypt N=2^17: about a second each on a busy two-core machine.
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...common, displayName: 'plan', testMatch: ['<rootDir>/test/plan/**/*.test.ts'] },
    ...(terraform ? [{ ...common, displayName: 'terraform', testMatch: ['<rootDir>/test/terraform/**/*.test.ts'] }] : []),
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
      globalTeardown: '<rootDir>/test/e2e/global-teardown.ts',
    },
    {
      // The web app in real Chromium (Debian's /usr/bin/chromium) against the local stack serving dist/web.
      ...common,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/browser/global-setup.ts',
      globalTeardown: '<rootDir>/test/browser/global-teardown.ts',
    },
    {
      // Presigned URLs against Ceph RGW, a real S3 that verifies SigV4 (see ../shared/real-s3).
      ...common,
      displayName: 'real-s3',
      testMatch: ['<rootDir>/test/real-s3/**/*.test.ts'],
      globalSetup: '<rootDir>/test/real-s3/global-setup.ts',
    },
    {
      // npm ci, npx cdktf synth twice and npm start in a fresh clone of HEAD (minutes).
      ...common,
      displayName: 'clone',
      testMatch: ['<rootDir>/test/clone/**/*.test.ts'],
    },
  ],
};
