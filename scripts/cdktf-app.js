#!/usr/bin/env node
// @ts-check
/**
 * The `app` of cdktf.json. Compiles scripts/synth-app.ts (and what it imports: main's stacks
 * and the bundle build) into one CommonJS file with esbuild, in-process, only when one of its
 * source files changed; then runs it, which rebuilds stale Lambda bundles and synthesizes.
 * Plain JavaScript so that `npx cdktf synth` works right after `npm ci`, without tsx.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { inputsChanged, recordInputs } = require('./source-hash');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, '.gen');
const COMPILED = path.join(OUT_DIR, 'synth-app.cjs');
const RECORD = path.join(OUT_DIR, 'synth-app.inputs.json');

function compile() {
  const esbuild = require('esbuild');
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const result = esbuild.buildSync({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'scripts', 'synth-app.ts')],
    outfile: COMPILED,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // cdktf and the provider bindings bundled too: one file to load instead of hundreds.
    // esbuild and sharp stay packages (native binaries, loaded only when bundles or the web app's
    // icons are rebuilt; sharp's ESM entry cannot be bundled into CommonJS).
    external: ['esbuild', 'sharp'],
    metafile: true,
    logLevel: 'warning',
  });
  fs.writeFileSync(RECORD, `${JSON.stringify(recordInputs(ROOT, [result.metafile], ['scripts/cdktf-app.js']), null, 1)}\n`);
}

if (!fs.existsSync(COMPILED) || inputsChanged(ROOT, RECORD)) compile();
require(COMPILED)
  .synthesize()
  .catch((/** @type {unknown} */ error) => {
    process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exit(1);
  });
