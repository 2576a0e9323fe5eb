/**
 * A video's playable copy made inside the process invocation that probed it: for short clips,
 * and wherever the video workflow (Step Functions, any length) is not deployed. The copy is
 * made through the decoder box from a presigned URL of the original, written beside its
 * derived images, and recorded on the row only while it describes the same version; a file
 * ffmpeg cannot convert ends `failed` with a reason (the original stays downloadable).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { copySize, remuxArgs, transcodeArgs } from '../core/video-commands';
import { VIDEO_COPY_TYPE, videoCopyKeyOf, type StoredVideoCopy, type VideoCopyInput, type VideoCopyStarter } from '../core/video-copies';
import { displayedSizeOf } from '../core/video-probe';
import type { FileCatalog } from './files-repository';
import type { MediaObjects, ObjectStore } from './object-store';
import { bundledFfmpegPath, openVideo, runBoxed, type BoxedRun } from './video-box';

export interface InlineVideoCopyDeps {
  readonly files: Pick<FileCatalog, 'recordVideoCopy'>;
  readonly objects: Pick<MediaObjects, 'write' | 'deleteMany'> & Pick<ObjectStore, 'urlSigner'>;
  /** Lines of the short edge of a transcoded copy at most. */
  readonly maxHeight: number;
  /** ffmpeg is killed after this long: within the invocation's own timeout. */
  readonly timeoutMs: number;
  /** Largest copy held (it is read into memory to be written). */
  readonly maxCopyBytes: number;
  readonly logger: Logger;
  readonly ffmpegPath?: string;
}

/** Lifetime of the URL ffmpeg reads the original through. */
const SOURCE_URL_TTL_SECONDS = 900;

const FAILURES: Readonly<Record<Exclude<BoxedRun['outcome'], 'done'>, string>> = {
  failed: 'video could not be converted',
  timeout: 'video too long to convert here',
  'too-large': 'playable copy too large',
};

export class InlineVideoCopies implements VideoCopyStarter {
  constructor(private readonly deps: InlineVideoCopyDeps) {}

  async startVideoCopy(input: VideoCopyInput): Promise<void> {
    const { decision, probe } = input;
    if (decision.copy === undefined) return;
    const { files, objects, logger } = this.deps;
    const started = Date.now();
    const record = (copy: StoredVideoCopy): Promise<unknown> => files.recordVideoCopy(input.folder, input.name, input.etag, copy);
    // Read as bytes: the original's own type does not matter to the decoder.
    const url = (await objects.urlSigner()).get({ key: input.key, name: input.name, contentType: 'application/octet-stream' }, 'attachment', { expiresIn: SOURCE_URL_TTL_SECONDS });
    const opened = await openVideo({ url });
    if (!opened.ok) {
      await record({ state: 'failed', reason: opened.reason });
      return;
    }
    const dir = await mkdtemp(path.join(tmpdir(), 'video-copy-'));
    try {
      const target = path.join(dir, 'copy.mp4');
      const args = decision.copy === 'remux' ? remuxArgs(probe, decision, { target }) : transcodeArgs(probe, { target, maxHeight: this.deps.maxHeight });
      const run = await runBoxed(this.deps.ffmpegPath ?? bundledFfmpegPath(), opened.video, { ...args, timeoutMs: this.deps.timeoutMs, maxOutputBytes: this.deps.maxCopyBytes });
      if (run.outcome !== 'done') {
        await record({ state: 'failed', reason: FAILURES[run.outcome] });
        logger.warn('video copy failed', { key: input.key, copy: decision.copy, outcome: run.outcome, ms: Date.now() - started });
        return;
      }
      const body = await readFile(target);
      const key = videoCopyKeyOf(input.key, input.etag);
      await objects.write(key, body, VIDEO_COPY_TYPE);
      const size = decision.copy === 'transcode' ? copySize(probe, this.deps.maxHeight) : displayedSizeOf(probe);
      const write = await record({ state: 'ready', key, bytes: body.length, ...(size ?? {}) });
      // Another version arrived meanwhile: this copy belongs to nobody.
      if (write === 'stale') await objects.deleteMany([key]);
      logger.info('video copy made', { key: input.key, copy: decision.copy, bytes: body.length, ms: Date.now() - started, write });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
