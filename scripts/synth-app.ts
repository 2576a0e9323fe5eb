/**
 * What `cdktf synth` / `diff` / `deploy` run (through scripts/cdktf-app.js): bring the Lambda
 * bundles up to date with the source — deterministic zips, so unchanged source means an
 * unchanged plan — then synthesize both stacks, as main.ts does.
 */
import { App } from 'cdktf';
import { addMediaStoreStacks } from '../modules/stacks/app';
import { buildIfStale } from './build';

export async function synthesize(): Promise<void> {
  const built = await buildIfStale();
  if (built !== 'up-to-date') process.stderr.write(`built ${built.length} Lambda bundles from the current source\n`);
  const app = new App();
  addMediaStoreStacks(app);
  app.synth();
}
