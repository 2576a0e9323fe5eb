import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { bundleZipPath, FUNCTION_NAMES, FUNCTION_TAG } from '../../contract/functions';
import type { FunctionsManifest } from '../../local/functions';
import { SynthesizedPlan } from '../../local/plan';
import { readZip } from '../../local/zip';
import { e2eContext } from './support/context';

const ROOT = path.resolve(__dirname, '../..');
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

interface LambdaBlock {
  /** Direct upload; or `s3_key` naming an `aws_s3_object` whose `source` is the zip (bundles over 50 MB). */
  filename?: string;
  s3_key?: string;
  handler: string;
  /** `merge(var.tags, {…})`: resolved by the local plan reader as the stack does. */
  tags: string;
}

describe('the local stack runs the bundles of the synthesized plan', () => {
  const context = e2eContext();
  const manifest = JSON.parse(readFileSync(path.join(context.functionsDir, 'manifest.json'), 'utf8')) as FunctionsManifest;
  const plan = JSON.parse(readFileSync(path.join(context.planDir, 'cdk.tf.json'), 'utf8')) as {
    resource: { aws_lambda_function: Record<string, LambdaBlock>; aws_s3_object?: Record<string, { source: string }> };
  };
  /** The zip a function's plan block names, directly or through its S3 object. */
  const zipOf = (lambda: LambdaBlock): string => {
    if (lambda.filename !== undefined) return lambda.filename;
    const object = /^\$\{aws_s3_object\.([^.}]+)\.key\}$/.exec(lambda.s3_key ?? '')?.[1];
    return plan.resource.aws_s3_object?.[object ?? '']?.source ?? '';
  };
  const local = SynthesizedPlan.load(context.planDir);
  const lambdas = Object.values(plan.resource.aws_lambda_function);
  const functionOf = (lambda: LambdaBlock): unknown => (local.resolve(lambda.tags) as Record<string, string>)[FUNCTION_TAG];

  it('reads the module stack of cdktf.out, not the TypeScript sources', () => {
    expect(path.relative(ROOT, context.planDir)).toBe(path.join('cdktf.out', 'stacks', 'media-store-module'));
    expect(Object.keys(manifest).sort()).toEqual([...FUNCTION_NAMES].sort());
  });

  describe.each([...FUNCTION_NAMES])('function %s', (name) => {
    const lambda = lambdas.find((l) => functionOf(l) === name)!;
    const entry = manifest[name];

    it("was unpacked from the zip named by the plan (its filename, or its S3 object's source), under the stack's assets", () => {
      const zip = zipOf(lambda);
      expect(zip.startsWith('${path.module}/assets/')).toBe(true);
      expect(entry.source).toBe(path.join(context.planDir, zip.replace('${path.module}/', '')));
      expect(sha256(entry.source)).toBe(entry.sha256);
    });

    it('runs exactly the files of that zip', () => {
      for (const zipEntry of readZip(entry.source)) {
        const unpacked = readFileSync(path.join(context.functionsDir, name, zipEntry.name));
        expect(unpacked.equals(zipEntry.data)).toBe(true);
      }
      expect(entry.files).toContain(`${lambda.handler.split('.')[0]}.js`);
    });

    it('is the current build output (dist/) that the plan packaged', () => {
      const built = path.join(ROOT, bundleZipPath(name));
      expect(existsSync(built)).toBe(true);
      expect(sha256(built)).toBe(entry.sha256);
    });
  });
});
