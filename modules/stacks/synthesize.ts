import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { FUNCTION_NAMES, bundleZipPath } from '../../contract/functions';
import { addMediaStoreStacks, DEPLOYABLE_STACK, MODULE_STACK, type MediaStoreAppOptions } from './app';

/** A synthesized stack (`cdk.tf.json`), loosely typed for inspection. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StackJson = Record<string, any>;

export interface SynthesizedApp {
  readonly deployable: StackJson;
  readonly module: StackJson;
}

/**
 * Synthesizes both stacks and reads them back. Runs cdktf's validations, like `cdktf synth`.
 * Without `outdir` the stacks are written to a temp dir that is removed once read.
 */
export function synthesizeApp(options: MediaStoreAppOptions & { readonly outdir?: string } = {}): SynthesizedApp {
  const outdir = options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-synth-'));
  try {
    const app = new App({ outdir });
    addMediaStoreStacks(app, options);
    app.synth();
    const read = (stack: string): StackJson =>
      JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackJson;
    return { deployable: read(DEPLOYABLE_STACK), module: read(MODULE_STACK) };
  } finally {
    if (!options.outdir) fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * A directory with stand-in `dist/<name>.zip` files, for synthesizing without a build
 * (docs, plan tests): what the plan says does not depend on the bundles' bytes. Always the
 * same directory with the same bytes, written atomically, so parallel test workers share it
 * and nothing piles up in the temp dir.
 */
export function placeholderBundleRoot(): string {
  return standInFolder(
    'media-store-placeholder-bundles',
    Object.fromEntries(FUNCTION_NAMES.map((name) => [bundleZipPath(name), `placeholder bundle of ${name}\n`])),
  );
}

/** Files of the stand-in web build: an index.html, hashed assets and an unhashed root file. */
export const PLACEHOLDER_WEB_FILES: Readonly<Record<string, string>> = {
  'index.html': '<!doctype html><title>media-store</title><script type="module" src="/assets/index-3f9a1c2b.js"></script>\n',
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
  'assets/index-3f9a1c2b.js': 'console.log("placeholder web app");\n',
  'assets/index-8d41e0f7.css': 'body{margin:0}\n',
};

/** A stand-in `dist/web`, for synthesizing without a web build (docs, plan tests), shared the same way. */
export function placeholderWebRoot(): string {
  return standInFolder('media-store-placeholder-web', PLACEHOLDER_WEB_FILES);
}

/** `<tmp>/<name>` holding exactly these files, each written atomically unless already there. */
function standInFolder(name: string, files: Readonly<Record<string, string>>): string {
  const root = path.join(os.tmpdir(), name);
  for (const [relativePath, content] of Object.entries(files)) {
    const file = path.join(root, relativePath);
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === content) continue;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
  }
  return root;
}
