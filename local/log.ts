/**
 * Where the local stack's lines go: the terminal for `npm start`, a file for the e2e run
 * (so test output stays readable and the log is still there when something fails).
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';

export interface Logger {
  info(source: string, message: string): void;
  warn(source: string, message: string): void;
  error(source: string, message: string): void;
}

export function consoleLogger(): Logger {
  const line = (source: string, message: string): string => `[${source}] ${message}`;
  return {
    info: (source, message) => console.log(line(source, message)),
    warn: (source, message) => console.warn(line(source, message)),
    error: (source, message) => console.error(line(source, message)),
  };
}

export function fileLogger(file: string): Logger {
  const write = (level: string, source: string, message: string): void =>
    appendFileSync(file, `${new Date().toISOString()} ${level} [${source}] ${message}\n`);
  return {
    info: (source, message) => write('INFO', source, message),
    warn: (source, message) => write('WARN', source, message),
    error: (source, message) => write('ERROR', source, message),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** A child process's output line by line into the log under `source`: stdout as info, stderr as warnings (blank lines dropped). */
export function logChildOutput(child: ChildProcess, logger: Logger, source: string): void {
  const forward = (stream: NodeJS.ReadableStream | null, log: (line: string) => void): void => {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line);
    });
  };
  forward(child.stdout, (line) => logger.info(source, line));
  forward(child.stderr, (line) => logger.warn(source, line));
}
