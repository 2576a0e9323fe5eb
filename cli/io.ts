/** What commands read and write, injectable so tests can run them without a terminal. */
import type { ApiClient } from './api-client';
import type { Env } from './config';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stderrIsTTY: boolean;
  readonly columns?: number;
  readonly env: Env;
  readonly cwd: string;
}

export interface CommandContext {
  readonly io: CliIo;
  readonly api: ApiClient;
  readonly apiUrl: string;
  readonly configFile: string;
  readonly debug?: (message: string) => void;
}
