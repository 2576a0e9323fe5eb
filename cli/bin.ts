/**
 * Entry of the built CLI (`npm run build` bundles it into dist/cli/media-store.js, which
 * bin/media-store.js loads): runs the command line and sets the exit code.
 */
import { main } from './main';

// The SDK's warning about older Node versions is noise for a CLI that uses no SDK client.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`media-store: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
