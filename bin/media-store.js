#!/usr/bin/env node
// The `media-store` CLI (package.json "bin", so `npx media-store` works in this checkout after
// `npm ci`): registers tsx's TypeScript loader and runs cli/main.ts, no build step needed.
'use strict';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
require('tsx/cjs/api').register();
const { main } = require('../cli/main.ts');
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`media-store: unexpected error: ${error && error.message ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
