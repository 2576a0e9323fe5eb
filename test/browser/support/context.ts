/** What the browser tests' global setup hands to them. */
import { readFileSync } from 'node:fs';

export interface BrowserUser {
  readonly username: string;
  readonly password: string;
}

export interface BrowserContext {
  readonly appUrl: string;
  readonly apiUrl: string;
  readonly s3Endpoint: string;
  /** Scratch directory of this run (the stack's log). */
  readonly dir: string;
  readonly admin: BrowserUser;
  readonly editor: BrowserUser;
  readonly viewer: BrowserUser;
  /** Only the throttling test fails logins as this user. */
  readonly throttled: BrowserUser;
}

export const BROWSER_CONTEXT_ENV = 'MEDIA_STORE_BROWSER_CONTEXT';

export function browserContext(): BrowserContext {
  const file = process.env[BROWSER_CONTEXT_ENV];
  if (!file) throw new Error(`${BROWSER_CONTEXT_ENV} is not set: run the browser tests through jest (--selectProjects browser)`);
  return JSON.parse(readFileSync(file, 'utf8')) as BrowserContext;
}
