import * as fs from 'node:fs';
import * as path from 'node:path';
import type { S3BackendConfig } from 'cdktf';
import { VARIABLES, type VariableValues } from './variables';

/** `media-store.config.json` at the project root (or `MEDIA_STORE_CONFIG`): all optional. */
export interface DeployConfig {
  /** AWS region. `MEDIA_STORE_REGION` wins over it. @default "us-east-1" */
  readonly region: string;
  /** S3 backend settings; absent: local state file `terraform.media-store.tfstate` at the project root. */
  readonly s3Backend?: S3BackendConfig;
  /** Tags the AWS provider puts on every resource (`default_tags`). @default {} */
  readonly tags: Record<string, string>;
  /** Values of the module variables (snake_case names, as in the README tables). */
  readonly variables: VariableValues;
}

export const DEFAULT_REGION = 'us-east-1';

export function loadDeployConfig(projectRoot: string, env: NodeJS.ProcessEnv = process.env): DeployConfig {
  const file = env.MEDIA_STORE_CONFIG ?? path.join(projectRoot, 'media-store.config.json');
  let raw: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${file} is not valid JSON`, { cause: error });
    }
  } else if (env.MEDIA_STORE_CONFIG) {
    throw new Error(`MEDIA_STORE_CONFIG names ${file}, which does not exist`);
  }
  const region = env.MEDIA_STORE_REGION || (typeof raw.region === 'string' ? raw.region : DEFAULT_REGION);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new Error(`Region "${region}" is not an AWS region name`);
  const variables = (raw.variables as VariableValues | undefined) ?? {};
  const unknown = Object.keys(variables).filter((name) => !(name in VARIABLES));
  if (unknown.length > 0) throw new Error(`${file}: unknown variables ${unknown.join(', ')} (see the README inputs table)`);
  return {
    region,
    s3Backend: raw.s3Backend as S3BackendConfig | undefined,
    tags: (raw.tags as Record<string, string> | undefined) ?? {},
    variables,
  };
}
