/** Starts a job's function asynchronously (Lambda `InvocationType: Event`): Lambda queues it and retries a failed run twice. */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

export interface JobInvoker {
  /** `kind` `trash` for a bulk trash job (the move function runs both). @default a move */
  start(jobId: string, kind?: 'trash'): Promise<void>;
}

export class LambdaJobInvoker implements JobInvoker {
  private readonly client: LambdaClient;

  constructor(
    private readonly functionName: string,
    client?: LambdaClient,
  ) {
    this.client = client ?? new LambdaClient({});
  }

  async start(jobId: string, kind?: 'trash'): Promise<void> {
    const out = await this.client.send(
      new InvokeCommand({ FunctionName: this.functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(kind === undefined ? { jobId } : { jobId, kind })) }),
    );
    if (out.StatusCode !== 202) throw new Error(`Lambda answered ${out.StatusCode} to the asynchronous invocation of ${this.functionName}`);
  }
}
