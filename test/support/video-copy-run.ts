/**
 * Follows a video through the local stack for the segment e2e test and `npm run bench:video`:
 * upload through the API, wait for the process function to start its copy, wait for the video
 * workflow's execution (its name is the version's `copyRunId`) to end.
 */
import { spawnSync } from 'node:child_process';
import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { fileItemKey } from '../../contract/table';
import { copyRunId, eventRun } from '../../handlers/core/video-segments';
import type { LocalStack } from '../../local/stack';
import { FIXTURE_FFMPEG } from './video-fixtures';

interface CopyRow {
  readonly key: string;
  readonly etag?: string;
  readonly sequencer?: string;
  readonly processing?: string;
  readonly processingReason?: string;
  readonly video?: { readonly copy?: { readonly state: string; readonly key?: string; readonly reason?: string; readonly bytes?: number; readonly height?: number } };
}

export class VideoCopyRunner {
  private readonly sfn: SFNClient;
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly stack: LocalStack, private readonly token: string) {
    const client = { region: stack.region, credentials: stack.credentials };
    this.sfn = new SFNClient({ ...client, endpoint: stack.sfnEndpoint });
    this.documents = DynamoDBDocumentClient.from(new DynamoDBClient({ ...client, endpoint: stack.dynamodbEndpoint }));
  }

  destroy(): void {
    this.sfn.destroy();
    this.documents.destroy();
  }

  /** POST /uploads and the presigned PUT; resolves when S3 has the bytes. */
  async upload(folder: string, fileName: string, bytes: Buffer, contentType = 'video/quicktime'): Promise<string> {
    const response = await fetch(`${this.stack.apiUrl}/uploads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ folder, fileName, contentType, size: bytes.length }),
    });
    if (response.status !== 201) throw new Error(`POST /uploads answered ${response.status}`);
    const created = (await response.json()) as { fileId: string; url: string; headers: Record<string, string> };
    const put = await fetch(created.url, { method: 'PUT', headers: created.headers, body: bytes });
    if (put.status !== 200) throw new Error(`PUT answered ${put.status}`);
    return created.fileId;
  }

  async row(folder: string, name: string): Promise<CopyRow | undefined> {
    return (await this.documents.send(new GetCommand({ TableName: this.stack.tableName, Key: fileItemKey(folder, name), ConsistentRead: true }))).Item as CopyRow | undefined;
  }

  /**
   * Waits until the process function has handled the upload and, when it started a copy (the
   * row's `video.copy`), until that execution (named after the version, `copyRunId`) ended.
   */
  async copy(folder: string, name: string, options: { readonly timeoutMs?: number } = {}): Promise<{ execution?: DescribeExecutionCommandOutput; row: CopyRow | undefined }> {
    const timeoutMs = options.timeoutMs ?? 600_000;
    const until = Date.now() + timeoutMs;
    let row = await this.row(folder, name);
    for (; (row?.etag === undefined || row.processing === undefined || row.processing === 'pending') && Date.now() < until; row = await this.row(folder, name)) await pause(100);
    if (row?.etag === undefined || row.processing === 'pending') throw new Error(`${folder}/${name} was not processed within ${timeoutMs} ms`);
    if (row.video?.copy === undefined) return { row };
    const stateMachineArn = this.stack.stateMachineArns.video as string;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${copyRunId(row.key, row.etag, eventRun(String(row.sequencer)))}`;
    for (; Date.now() < until; await pause(200)) {
      const execution = await this.sfn.send(new DescribeExecutionCommand({ executionArn })).catch((error: unknown) => {
        if (error instanceof ExecutionDoesNotExist) return undefined;
        throw error;
      });
      if (execution !== undefined && execution.status !== 'RUNNING') return { execution, row: await this.row(folder, name) };
    }
    throw new Error(`the copy of ${name} was not made within ${timeoutMs} ms`);
  }
}

/** ffmpeg's banner of a file (`ffmpeg -i` prints it and exits 1 without an output). */
export function ffmpegBanner(file: string): string {
  return spawnSync(FIXTURE_FFMPEG, ['-hide_banner', '-i', file], { encoding: 'utf8' }).stderr;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
