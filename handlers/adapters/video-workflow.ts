/**
 * Starts the video workflow (modules/media-store/video-workflow.ts) for one version of one
 * video: a Step Functions execution named by its run id (core/video-segments.ts `copyRunId`, a
 * hash of the key, ETag and the catalog row's sequencer), so a repeated S3 event or a retried
 * process invocation starts nothing new (`ExecutionAlreadyExists`), while the same bytes put
 * back at the same key (a restore from the trash) run again; a reprocess names a run of its own.
 */
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { optionalString } from '../core/env';
import type { VideoCopyInput, VideoCopyStarter } from '../core/video-copies';

let client: SFNClient | undefined;

/** The process's Step Functions client (`AWS_ENDPOINT_URL_SFN` names the local stack's). */
function defaultSfnClient(): SFNClient {
  const endpoint = optionalString(process.env, 'AWS_ENDPOINT_URL_SFN');
  client ??= new SFNClient(endpoint !== undefined ? { endpoint } : {});
  return client;
}

export class StepFunctionsVideoWorkflow implements VideoCopyStarter {
  private readonly client: SFNClient;

  constructor(private readonly options: { readonly stateMachineArn: string; readonly client?: SFNClient }) {
    this.client = options.client ?? defaultSfnClient();
  }

  async startVideoCopy(input: VideoCopyInput): Promise<void> {
    const copy: VideoCopyInput = { key: input.key, etag: input.etag, runId: input.runId, folder: input.folder, name: input.name, probe: input.probe, decision: input.decision };
    try {
      await this.client.send(new StartExecutionCommand({ stateMachineArn: this.options.stateMachineArn, name: input.runId, input: JSON.stringify(copy) }));
    } catch (error) {
      // This run is under way, or was: once is enough.
      if (error instanceof ExecutionAlreadyExists) return;
      throw error;
    }
  }
}
