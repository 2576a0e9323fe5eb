/**
 * Asks the process function to render a file, asynchronously (`InvocationType: Event`):
 * Lambda queues the event, retries a failed run and sends what still fails to the
 * dead-letter queue, so the sync function never waits for a decoder.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ProcessRequest } from '../core/media';
import { optionalString } from '../core/env';

export type ProcessTrigger = (request: ProcessRequest) => Promise<void>;

let lambda: LambdaClient | undefined;

export function lambdaProcessTrigger(functionName: string, client?: LambdaClient): ProcessTrigger {
  return async (request) => {
    const endpoint = optionalString(process.env, 'AWS_ENDPOINT_URL_LAMBDA');
    const target = client ?? (lambda ??= new LambdaClient(endpoint !== undefined ? { endpoint } : {}));
    const out = await target.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(request)) }));
    if (out.StatusCode !== 202) throw new Error(`Invoke of ${functionName} answered ${String(out.StatusCode)}`);
  };
}
