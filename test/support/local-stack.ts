/**
 * The test projects' one way to run the local stack (test/e2e and test/browser global setups
 * and teardowns): in memory, on free ports, logging to a file in its own temp directory, with
 * an admin and the projects' users (random passwords) — and its context file for the tests
 * (jest workers), named in an environment variable. And `npm start` as a user runs it
 * (test/e2e/npm-start.test.ts, test/clone/fresh-clone.test.ts): the process, its output, and
 * its banner (API URL, DynamoDB port, the admin password it generated).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UsersRepository } from '../../handlers/adapters/users-repository';
import { hashPassword } from '../../handlers/core/password';
import type { Role } from '../../handlers/core/roles';
import { fileLogger } from '../../local/log';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';

interface TestUser {
  readonly username: string;
  readonly password: string;
}

interface TestUserSpec {
  readonly username: string;
  readonly role: Role;
  readonly folders?: readonly string[];
}

/** A stack a global setup started: what its teardown stops. */
export interface RunningStack {
  readonly stack: LocalStack;
  /** Its temp directory: the log and the context file. */
  readonly dir: string;
}

interface TestStack extends RunningStack {
  readonly logFile: string;
  readonly admin: TestUser;
  /** The users asked for, in the same order. */
  readonly users: readonly TestUser[];
}

const password = (): string => randomBytes(18).toString('base64url');

/**
 * Starts the stack in memory on free ports (no stack.json), logging to `<dir>/local-stack.log`
 * in a new temp directory named after `project`, with an admin and `users`.
 */
export async function startTestStack(project: string, users: readonly TestUserSpec[], options: Omit<LocalStackOptions, 'inMemory' | 'port' | 'stackFile' | 'adminUser' | 'adminPassword' | 'logger'> = {}): Promise<TestStack> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dir = mkdtempSync(path.join(tmpdir(), `media-store-${project}-`));
  const logFile = path.join(dir, 'local-stack.log');
  const admin: TestUser = { username: 'admin', password: password() };
  const stack = await startLocalStack({ ...options, inMemory: true, port: 0, stackFile: null, adminUser: admin.username, adminPassword: admin.password, logger: fileLogger(logFile) });
  const client = new DynamoDBClient({ endpoint: stack.dynamodbEndpoint, region: stack.region, credentials: stack.credentials });
  try {
    const repository = new UsersRepository({ tableName: stack.tableName, client: DynamoDBDocumentClient.from(client) });
    const created = await Promise.all(
      users.map(async ({ username, role, folders }) => {
        const user = { username, password: password() };
        await repository.create({ username, role, passwordHash: await hashPassword(user.password), ...(folders !== undefined ? { folders } : {}) });
        return user;
      }),
    );
    return { stack, dir, logFile, admin, users: created };
  } finally {
    client.destroy();
  }
}

/** Writes the tests' context (it holds passwords: owner only) and names it in `env` for the jest workers. */
export function publishContext(running: RunningStack, env: string, context: object): void {
  const file = path.join(running.dir, 'context.json');
  writeFileSync(file, JSON.stringify(context, null, 2), { mode: 0o600 });
  process.env[env] = file;
}

/** Stops what `startTestStack` started: functions drained, API, s3rver, DynamoDB Local; its directory removed unless MEDIA_STORE_E2E_KEEP_LOG=1. */
export async function stopTestStack(running: RunningStack | undefined): Promise<void> {
  if (!running) return;
  await running.stack.functions.drain();
  await running.stack.stop();
  // Keep the stack's log when something failed to look at; otherwise leave nothing behind.
  if (process.env.MEDIA_STORE_E2E_KEEP_LOG !== '1') rmSync(running.dir, { recursive: true, force: true });
}

/** What `npm start` (local/start.ts) prints once it serves: its API, DynamoDB Local's port, and the admin password it generated. */
const START_BANNER = /API\s+(http:\/\/\S+)[\s\S]*DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)[\s\S]*generated password \(shown only this once\): (\S+)[\s\S]*Ctrl-C/;

export interface StartedProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  readonly output: () => string;
  readonly apiUrl: string;
  readonly dynamodbPort: string;
  readonly password: string;
}

/** Spawns the stack's start (`npm start`, or local/start.ts) and waits for its banner; rejects with the output's tail if it exits or is silent for `timeoutMs`. */
export async function startAndWaitForBanner(command: string, args: readonly string[], options: SpawnOptions, timeoutMs: number): Promise<StartedProcess> {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const output = (): string => text;
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  // A start that never printed its banner is stopped (its process group when detached): nothing is left running.
  const stop = (): void => {
    if (child.exitCode !== null || child.pid === undefined) return;
    if (options.detached) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  };
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no start banner within ${timeoutMs} ms; output:\n${text.slice(-6000)}`));
    }, timeoutMs);
    const check = (): void => {
      const found = START_BANNER.exec(text);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(' ')} exited with ${code} before its start banner; output:\n${text.slice(-6000)}`));
    });
  });
  const [, apiUrl = '', dynamodbPort = '', generated = ''] = match;
  return { child, output, apiUrl, dynamodbPort, password: generated };
}

/** What a started stack answers: `/health`, and a login as `admin` with the password it generated. */
export async function healthAndAdminLogin(started: Pick<StartedProcess, 'apiUrl' | 'password'>): Promise<{ health: number; login: number }> {
  const health = await fetch(`${started.apiUrl}/health`);
  const login = await fetch(`${started.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: started.password }),
  });
  return { health: health.status, login: login.status };
}
