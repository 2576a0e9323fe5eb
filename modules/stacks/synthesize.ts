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
  /** Where the stacks were written. */
  readonly outdir: string;
}

/**
 * Synthesizes both stacks into `outdir` (a fresh temp dir by default) and reads them back.
 * Runs cdktf's validations, like `cdktf synth`.
 */
export function synthesizeApp(options: MediaStoreAppOptions & { readonly outdir?: string } = {}): SynthesizedApp {
  const outdir = options.outdir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-synth-'));
  const app = new App({ outdir });
  addMediaStoreStacks(app, options);
  app.synth();
  const read = (stack: string): StackJson =>
    JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as StackJson;
  return { deployable: read(DEPLOYABLE_STACK), module: read(MODULE_STACK), outdir };
}

/**
 * A directory with stand-in `dist/<name>.zip` files, for synthesizing without a build
 * (docs, plan tests): what the plan says does not depend on the bundles' bytes.
 */
export function placeholderBundleRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-bundles-'));
  for (const name of FUNCTION_NAMES) {
    const file = path.join(root, bundleZipPath(name));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `placeholder bundle of ${name}\n`);
  }
  return root;
}
