/** Helpers over the synthesized plan (cdk.tf.json) for the plan tests. */
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp, type StackJson, type SynthesizedApp } from '../../modules/stacks/synthesize';
import { DEFAULT_REGION } from '../../modules/stacks/config';
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { MediaStore, type MediaStoreProps } from '../../modules/media-store';

export type { StackJson };

/** Both stacks synthesized in-process with stand-in bundles and the default config. */
export function synthesizeBoth(): SynthesizedApp {
  return synthesizeApp({
    bundleRoot: placeholderBundleRoot(),
    webRoot: placeholderWebRoot(),
    config: { region: DEFAULT_REGION, tags: {}, variables: {} },
  });
}

/** `[name, body]` of every resource of a type. */
export function resourcesOf(stack: StackJson, type: string): [string, StackJson][] {
  return Object.entries(stack.resource?.[type] ?? {}) as [string, StackJson][];
}

/** The one resource of a type (fails the test when there are none or several). */
export function theOnly(stack: StackJson, type: string): StackJson {
  const all = resourcesOf(stack, type);
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0][1];
}

/** The name of the one resource of a type. */
export function nameOfOnly(stack: StackJson, type: string): string {
  theOnly(stack, type);
  return resourcesOf(stack, type)[0][0];
}

/**
 * The resource at a construct path under the MediaStore (e.g. `storage/allow-s3-invoke`),
 * found by the path cdktf records in each resource's `//` metadata.
 */
export function nameByPath(stack: StackJson, type: string, constructPath: string): string {
  const suffix = `/media-store/${constructPath}`;
  const found = resourcesOf(stack, type).filter(([, body]) => String(body['//']?.metadata?.path ?? '').endsWith(suffix));
  if (found.length !== 1) throw new Error(`expected one ${type} at ${constructPath}, found ${found.length}`);
  return found[0][0];
}

export function byPath(stack: StackJson, type: string, constructPath: string): StackJson {
  return stack.resource[type][nameByPath(stack, type, constructPath)] as StackJson;
}

export interface Statement {
  sid?: string;
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  condition?: { test: string; variable: string; values: string[] }[];
}

/** Statements of every aws_iam_policy_document data source, by data source name. */
export function policyDocuments(stack: StackJson): Record<string, Statement[]> {
  const docs = (stack.data?.aws_iam_policy_document ?? {}) as Record<string, { statement: Statement[] }>;
  return Object.fromEntries(Object.entries(docs).map(([name, doc]) => [name, doc.statement]));
}

/** Every `${…}` expression in the JSON (outermost), with nested ones inside it. */
export function interpolations(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    for (let i = value.indexOf('${'); i >= 0; i = value.indexOf('${', i + 1)) {
      if (i > 0 && value[i - 1] === '$') continue; // `$${` is an escaped literal
      let depth = 0;
      for (let j = i + 1; j < value.length; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}' && --depth === 0) {
          found.push(value.slice(i + 2, j));
          break;
        }
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((v) => interpolations(v, found));
  } else if (value && typeof value === 'object') {
    Object.values(value).forEach((v) => interpolations(v, found));
  }
  return found;
}

/** The stack with asset hashes and machine-specific paths blanked, for snapshots. */
export function blanked(stack: StackJson): StackJson {
  const text = JSON.stringify(stack)
    .replace(/(assets\/[^/"]+\/)[0-9A-F]{32}\//g, '$1<hash>/')
    .replace(/"path":"\/[^"]*\.tfstate"/g, '"path":"<state file>"');
  return JSON.parse(text) as StackJson;
}

/**
 * The MediaStore construct alone, with plain props (no variables), in a throwaway stack:
 * what a CDKTF user gets, with every default folded to a literal.
 */
export function synthesizeConstruct(props: MediaStoreProps = {}): StackJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'construct-under-test');
  new AwsProvider(stack, 'aws', { region: DEFAULT_REGION });
  new MediaStore(stack, 'media-store', { bundleRoot: placeholderBundleRoot(), webRoot: placeholderWebRoot(), ...props });
  return JSON.parse(Testing.synth(stack, true)) as StackJson;
}
