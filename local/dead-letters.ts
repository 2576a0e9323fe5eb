/**
 * The local on-failure destination: what Lambda would send to the dead-letter queue once an
 * S3 event failed every attempt, kept as one JSON file per event (Lambda's invocation
 * record plus the destination's plan address) and in memory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FailedInvocationRecord } from './functions';
import type { Logger } from './log';

interface DeadLetters {
  /** Pass as `LocalFunctionsOptions.onFailedEvent`. */
  readonly receive: (destination: string, record: FailedInvocationRecord) => void;
  /** Records received so far, oldest first. */
  records(): readonly FailedInvocationRecord[];
}

export function deadLettersIn(dir: string, logger: Logger): DeadLetters {
  const received: FailedInvocationRecord[] = [];
  return {
    receive(destination, record) {
      received.push(record);
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${record.timestamp.replace(/[:.]/g, '-')}-${record.requestContext.requestId}.json`);
      writeFileSync(file, `${JSON.stringify({ destination, ...record }, null, 2)}\n`);
      logger.warn('dlq', `failed event kept in ${file}`);
    },
    records: () => [...received],
  };
}
