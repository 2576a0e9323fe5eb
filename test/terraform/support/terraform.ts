/**
 * Running the real Terraform CLI against the synthesized stacks, offline: providers from the
 * filesystem mirror when the machine has one (else the registry), fake credentials, and STS
 * answered by a local endpoint, so `terraform plan` never reaches AWS.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The binary jest.config.js found on PATH (the project exists only when there is one). */
const TERRAFORM = process.env.MEDIA_STORE_TERRAFORM ?? 'terraform';

/** Where this machine keeps provider packages (`<host>/<namespace>/<type>/<version>/<os_arch>/`). */
const PROVIDER_MIRROR = process.env.MEDIA_STORE_TF_MIRROR ?? '/opt/tf-plugins';

/** The account the fake STS answers with. */
export const FAKE_ACCOUNT_ID = '123456789012';

/**
 * A CLI configuration installing providers from the filesystem mirror when it exists: the
 * mirror for what it holds, the registry for anything else. Without a mirror, an empty file
 * (the registry, as on a laptop).
 */
export function writeCliConfig(dir: string): string {
  const file = path.join(dir, 'terraformrc');
  const mirrored = fs.existsSync(PROVIDER_MIRROR)
    ? `provider_installation {
  filesystem_mirror {
    path = ${JSON.stringify(PROVIDER_MIRROR)}
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`
    : '';
  fs.writeFileSync(file, mirrored);
  return file;
}

/** Answers GetCallerIdentity (all the provider and `data.aws_caller_identity` ask STS) on loopback. */
export async function startFakeSts(): Promise<{ readonly url: string; readonly requests: () => number; close(): Promise<void> }> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests++;
      if (!/Action=GetCallerIdentity/.test(body)) {
        res.writeHead(400, { 'content-type': 'text/xml' }).end('<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>');
        return;
      }
      const xml =
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
        `<Arn>arn:aws:iam::${FAKE_ACCOUNT_ID}:user/terraform-tests</Arn><UserId>AIDATERRAFORMTESTS</UserId><Account>${FAKE_ACCOUNT_ID}</Account>` +
        '</GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
      res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Environment of every terraform run: fake credentials, local STS, no shared AWS config, no prompts. */
export function terraformEnv(cliConfig: string, stsUrl: string, pluginCache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR };
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_PLUGIN_CACHE_DIR: pluginCache,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_ACCESS_KEY_ID: 'terraform-tests-fake-key',
    AWS_SECRET_ACCESS_KEY: 'terraform-tests-fake-secret',
    AWS_ENDPOINT_URL_STS: stsUrl,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

class TerraformError extends Error {
  constructor(args: readonly string[], cwd: string, output: string) {
    super(`terraform ${args.join(' ')} failed in ${cwd}:\n${output}`);
    this.name = 'TerraformError';
  }
}

/** `terraform <args>` in `cwd`; resolves with stdout, rejects with everything terraform said. */
export async function terraform(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const started = Date.now();
  try {
    const { stdout } = await run(TERRAFORM, ['-chdir=' + cwd, ...args], { env, maxBuffer: 256 * 1024 * 1024 });
    if (process.env.MEDIA_STORE_TF_TIMING) process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s  terraform ${args[0]} in ${path.basename(cwd)}\n`);
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new TerraformError(args, cwd, `${e.stderr ?? ''}\n${e.stdout ?? ''}`.trim());
  }
}

/** Runs at most `n` of the given tasks at once. */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

// --- `terraform show -json` of a plan -------------------------------------------------------

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly mode: 'managed' | 'data';
  readonly values: Json;
}

interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  readonly change: { readonly actions: string[]; readonly before: Json | null; readonly after: Json | null; readonly after_unknown: Json };
}

export interface PlanJson {
  readonly planned_values: { readonly root_module: Json };
  readonly resource_changes?: ResourceChange[];
  readonly configuration: Json;
  readonly errored?: boolean;
}

/** Every planned resource instance, across child modules. */
export function plannedResources(plan: PlanJson): PlannedResource[] {
  const walk = (module: Json): PlannedResource[] => [
    ...((module.resources ?? []) as PlannedResource[]),
    ...((module.child_modules ?? []) as Json[]).flatMap(walk),
  ];
  return walk(plan.planned_values.root_module);
}
