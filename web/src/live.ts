/**
 * Live tiles: a file whose thumbnail (a photo), poster or playable copy (a video) processing has
 * not made yet is asked for again, with backoff, until it has one; the tile then shows it without a reload.
 *
 * Why polling: the module has no push channel to the browser (no WebSocket API or SSE: API
 * Gateway's REST API cannot hold a connection open), and a read of one file (`GET /files/{id}`,
 * one DynamoDB GetItem) is cheap; only files still pending are asked for, most of them finish in
 * seconds, and the backoff bounds what a file processing never finishes costs (about 30 reads in
 * its ten minutes).
 */
import type { FileItem } from '../../contract/wire';

/** Delays between reads of one file, ms: quick at first, then every 30 s. */
export const BACKOFF_MS: readonly number[] = [1000, 1500, 2500, 4000, 7000, 12_000, 20_000, 30_000];
/** A file pending longer than this is left alone (its processing failed, or the format has no preview). */
export const GIVE_UP_MS = 10 * 60_000;
/** At most this many files asked for at once. */
const CONCURRENCY = 4;

/** Whether processing has still to give the file what its tile (or its player: a video's playable copy) shows. */
export function isPending(file: Pick<FileItem, 'fileType' | 'thumbUrl' | 'posterUrl' | 'video'>): boolean {
  if (file.fileType === 'image') return !file.thumbUrl;
  if (file.fileType === 'video') return (!file.posterUrl && !file.thumbUrl) || file.video?.copy?.state === 'pending';
  return false;
}

export interface LiveTilesDeps {
  /** The file as the API has it now; rejects with `{ status: 404 }` once it is gone. */
  readonly get: (id: string) => Promise<FileItem>;
  /** Puts the newer file in place; false when it is no longer shown (another folder opened): it is then dropped. */
  readonly apply: (file: FileItem) => boolean;
  readonly now?: () => number;
  readonly setTimer?: (run: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
}

interface LiveTiles {
  /** Follows `file` until it is no longer pending (no-op when it is not, or already followed). */
  track(file: FileItem): void;
  /** The ids followed now. */
  tracked(): readonly string[];
  stop(): void;
}

export function createLiveTiles(deps: LiveTilesDeps): LiveTiles {
  const now = deps.now ?? (() => Date.now());
  const setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = deps.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const followed = new Map<string, { since: number; attempt: number; due: number }>();
  let timer: unknown;
  let running = false;

  const schedule = (): void => {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    if (running || followed.size === 0) return;
    const next = Math.min(...[...followed.values()].map((f) => f.due));
    timer = setTimer(() => {
      timer = undefined;
      void round();
    }, Math.max(0, next - now()));
  };

  const round = async (): Promise<void> => {
    running = true;
    const due = [...followed.entries()].filter(([, f]) => f.due <= now()).slice(0, CONCURRENCY);
    await Promise.all(
      due.map(async ([id, f]) => {
        try {
          const file = await deps.get(id);
          if (!deps.apply(file) || !isPending(file)) {
            followed.delete(id);
            return;
          }
        } catch (error) {
          if ((error as { status?: number }).status === 404) {
            followed.delete(id);
            return;
          }
        }
        f.attempt += 1;
        if (now() - f.since > GIVE_UP_MS) followed.delete(id);
        else f.due = now() + (BACKOFF_MS[Math.min(f.attempt, BACKOFF_MS.length - 1)] as number);
      }),
    );
    running = false;
    schedule();
  };

  return {
    track(file) {
      if (!isPending(file) || followed.has(file.id)) return;
      followed.set(file.id, { since: now(), attempt: 0, due: now() + (BACKOFF_MS[0] as number) });
      schedule();
    },
    tracked: () => [...followed.keys()],
    stop() {
      followed.clear();
      if (timer !== undefined) clearTimer(timer);
      timer = undefined;
    },
  };
}
