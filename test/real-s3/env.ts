/** Where the real S3 (Ceph RGW from ../shared/real-s3) is and how to reach it. */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

interface RealS3Env {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** `<repo>/../shared/real-s3/up.sh`: the shared scripts live next to the checkout (`REAL_S3_UP_SCRIPT` for a checkout elsewhere, e.g. a git worktree). */
export const UP_SCRIPT = process.env.REAL_S3_UP_SCRIPT ?? resolve(__dirname, '..', '..', '..', 'shared', 'real-s3', 'up.sh');
const ENV_FILE = resolve(process.env.REAL_S3_DIR ?? '/tmp/real-s3', 'env');

export function readRealS3Env(): RealS3Env {
  if (!existsSync(ENV_FILE)) throw new Error(`real-s3: ${ENV_FILE} is missing; did ${UP_SCRIPT} run?`);
  const vars = new Map<string, string>();
  for (const line of readFileSync(ENV_FILE, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) vars.set(match[1] as string, match[2] as string);
  }
  const get = (name: string): string => {
    const value = vars.get(name);
    if (!value) throw new Error(`real-s3: ${name} is missing from ${ENV_FILE}`);
    return value;
  };
  return {
    endpoint: get('S3_ENDPOINT'),
    region: get('S3_REGION'),
    accessKeyId: get('S3_ACCESS_KEY_ID'),
    secretAccessKey: get('S3_SECRET_ACCESS_KEY'),
  };
}
