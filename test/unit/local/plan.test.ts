import { SynthesizedPlan } from '../../../local/plan';
import { FUNCTION_NAMES, FUNCTION_TAG } from '../../../contract/functions';
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp } from '../../../modules/stacks/synthesize';
import { MODULE_STACK } from '../../../modules/stacks/app';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';

describe('the local stack reads the module\'s tags', () => {
  it('evaluates merge() of the tags variable and a resource\'s own tags, the resource\'s winning', () => {
    const plan = new SynthesizedPlan('/tmp', {
      variable: { tags: { type: 'map(string)', default: { team: 'media', [FUNCTION_TAG]: 'caller' } } },
    } as never);
    expect(plan.resolve(`\${merge(var.tags, {"${FUNCTION_TAG}" = "auth", other = "x"})}`)).toEqual({ team: 'media', [FUNCTION_TAG]: 'auth', other: 'x' });
    expect(plan.resolve('${merge(var.tags, {})}')).toEqual({ team: 'media', [FUNCTION_TAG]: 'caller' });
  });

  it('finds every function of the synthesized module by its own name tag when the tags variable is set, even to a clashing key', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'media-store-local-tags-'));
    try {
      synthesizeApp({ outdir, bundleRoot: placeholderBundleRoot(), webRoot: placeholderWebRoot(), config: { region: 'us-east-1', tags: {}, variables: {} } });
      const plan = SynthesizedPlan.load(path.join(outdir, 'stacks', MODULE_STACK), { tags: { [FUNCTION_TAG]: 'not-a-function', team: 'media' } });
      // What functionsFromPlan (local/functions.ts) reads to know each function.
      const tags = plan.resources('aws_lambda_function').map(([resource, block]) => [resource, plan.resolve(block.tags)] as const);
      expect(tags.length).toBe(FUNCTION_NAMES.length);
      for (const [resource, resolved] of tags) expect(resolved).toEqual({ team: 'media', [FUNCTION_TAG]: resource });
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
