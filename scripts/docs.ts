/**
 * `npm run docs`: regenerates the generated blocks of the docs: the module's requirements,
 * inputs, outputs and resources tables in docs/module.md (between BEGIN_TF_DOCS / END_TF_DOCS)
 * from the synthesized module stack, and the API route table in docs/api.md (between
 * BEGIN_API_ROUTES / END_API_ROUTES) from contract/routes.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { placeholderBundleRoot, placeholderWebRoot, synthesizeApp, type StackJson } from '../modules/stacks/synthesize';
import { DEFAULT_REGION } from '../modules/stacks/config';
import { ROUTES } from '../contract/routes';

const BEGIN = '<!-- BEGIN_TF_DOCS -->';
const END = '<!-- END_TF_DOCS -->';
const MODULE_DOCS = path.resolve(__dirname, '..', 'docs', 'module.md');
const API_DOCS = path.resolve(__dirname, '..', 'docs', 'api.md');
const ROUTES_BEGIN = '<!-- BEGIN_API_ROUTES -->';
const ROUTES_END = '<!-- END_API_ROUTES -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const code = (value: unknown) => `\`${cell(JSON.stringify(value))}\``;

/** The Markdown between the markers, from the module stack's variables and outputs. */
function renderModuleDocs(moduleStack: StackJson): string {
  const variables = Object.entries(moduleStack.variable ?? {}) as [string, StackJson][];
  const outputs = Object.entries(moduleStack.output ?? {}) as [string, StackJson][];
  const requirements = Object.entries(moduleStack.terraform?.required_providers ?? {}) as [string, StackJson][];
  const resources = Object.entries(moduleStack.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `${type}.${name}`),
  );
  const dataSources = Object.entries(moduleStack.data ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `data.${type}.${name}`),
  );
  return [
    '## Deploying with `cdktf deploy`',
    '',
    'The `media-store` stack takes the same inputs as the module. Its settings come from an optional',
    '`media-store.config.json` at the project root (or the file named by `MEDIA_STORE_CONFIG`):',
    '',
    '```json',
    '{',
    '  "region": "eu-west-1",',
    '  "tags": { "project": "media-store" },',
    '  "s3Backend": { "bucket": "my-tf-state", "key": "media-store.tfstate", "region": "eu-west-1", "encrypt": true },',
    '  "variables": { "name_prefix": "media-prod", "cors_allowed_origins": ["https://app.example.com"] }',
    '}',
    '```',
    '',
    '`MEDIA_STORE_REGION` overrides `region` (default `us-east-1`). Without `s3Backend`, state is kept',
    'in `terraform.media-store.tfstate` at the project root. `variables` uses the names of the Inputs',
    'table below; an unknown name is an error.',
    '',
    '## Requirements',
    '',
    '| Name | Version |',
    '|------|---------|',
    `| terraform | \`${moduleStack.terraform?.required_version ?? 'any'}\` |`,
    ...requirements.map(([name, p]) => `| ${name} (${p.source}) | \`${p.version}\` |`),
    '',
    '## Inputs',
    '',
    '| Name | Description | Type | Default | Validated |',
    '|------|-------------|------|---------|:---------:|',
    ...variables.map(
      ([name, v]) =>
        `| ${name} | ${cell(v.description ?? '')} | \`${v.type}\` | ${code(v.default)} | ${v.validation ? 'yes' : 'no'} |`,
    ),
    '',
    '## Outputs',
    '',
    '| Name | Description |',
    '|------|-------------|',
    ...outputs.map(([name, o]) => `| ${name} | ${cell(o.description ?? '')} |`),
    '',
    '## Resources',
    '',
    `Every address the module can create (${resources.length} resources, ${dataSources.length} data sources; optional ones depend on the inputs):`,
    '',
    '| Address |',
    '|---------|',
    ...[...resources, ...dataSources].sort().map((address) => `| \`${address}\` |`),
  ].join('\n');
}

/** The API route table, from the one route declaration. */
function renderRouteDocs(): string {
  return [
    '| Route | Auth | Function | What it does |',
    '|-------|:----:|----------|--------------|',
    ...ROUTES.map((r) => `| \`${r.method} ${cell(r.path)}\` | ${r.auth ? 'JWT' : 'open'} | ${r.function} | ${cell(r.summary)} |`),
  ].join('\n');
}

/** `page` with the text between the `begin` and `end` markers replaced by `docs`. */
function withGeneratedBlock(page: string, docs: string, begin = BEGIN, end = END): string {
  const start = page.indexOf(begin);
  const stop = page.indexOf(end);
  if (start < 0 || stop < start) throw new Error(`the page must contain ${begin} followed by ${end}`);
  return `${page.slice(0, start + begin.length)}\n${docs}\n${page.slice(stop)}`;
}

/** Each generated page with its generated block current: [file, current text, regenerated text]. */
export function generatedPages(moduleStack: StackJson): { file: string; current: string; generated: string }[] {
  const page = (file: string, docs: string, begin: string, end: string) => {
    const current = fs.readFileSync(file, 'utf8');
    return { file, current, generated: withGeneratedBlock(current, docs, begin, end) };
  };
  return [
    page(MODULE_DOCS, renderModuleDocs(moduleStack), BEGIN, END),
    page(API_DOCS, renderRouteDocs(), ROUTES_BEGIN, ROUTES_END),
  ];
}

/** The module stack as the docs see it: synthesized in-process, no build needed. */
function synthesizeModuleForDocs(): StackJson {
  return synthesizeApp({
    bundleRoot: placeholderBundleRoot(),
    webRoot: placeholderWebRoot(),
    config: { region: DEFAULT_REGION, tags: {}, variables: {} },
  }).module;
}

if (require.main === module) {
  for (const { file, current, generated } of generatedPages(synthesizeModuleForDocs())) {
    const name = path.relative(path.resolve(__dirname, '..'), file);
    if (generated === current) {
      console.log(`${name}: generated tables up to date`);
    } else {
      fs.writeFileSync(file, generated);
      console.log(`${name}: generated tables updated`);
    }
  }
}
