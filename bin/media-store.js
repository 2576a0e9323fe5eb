#!/usr/bin/env node
// The `media-store` CLI (package.json "bin"): runs the bundle `npm run build` writes, plain
// JavaScript with no dependencies, so it starts fast and works from `npm install -g`.
'use strict';
try {
  require.resolve('../dist/cli/media-store.js');
} catch {
  process.stderr.write('media-store: the CLI is not built: run npm run build in this checkout\n');
  process.exit(1);
}
require('../dist/cli/media-store.js');
