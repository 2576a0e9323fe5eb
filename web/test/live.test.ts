/** Live tiles (web/src/live.ts): pending files are read again with backoff until processing gave them a thumbnail or poster. */
import { describe, expect, it } from 'vitest';
import type { FileItem } from '../../contract/wire';
import { BACKOFF_MS, createLiveTiles, GIVE_UP_MS, isPending } from '../src/live';

const file = (id: string, extra: Partial<FileItem> = {}): FileItem => ({
  id, folder: '/a', name: `${id}.jpg`, size: 1, contentType: 'image/jpeg', fileType: 'image', uploadedAt: new Date(0).toISOString(), uploadedBy: 'ann', tags: [], urlExpiresAt: new Date(0).toISOString(), ...extra,
});

/** A clock and timer queue the test advances by hand. */
function fakeTime() {
  let t = 0;
  const timers: { at: number; run: () => void }[] = [];
  return {
    now: () => t,
    setTimer: (run: () => void, ms: number) => { const timer = { at: t + ms, run }; timers.push(timer); return timer; },
    clearTimer: (timer: unknown) => { const i = timers.indexOf(timer as never); if (i >= 0) timers.splice(i, 1); },
    async advance(ms: number) {
      const until = t + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        t = next.at;
        next.run();
        for (let i = 0; i < 5; i += 1) await Promise.resolve();
      }
      t = until;
    },
  };
}

describe('which files are pending', () => {
  it('is a photo without a thumbnail, a video without a poster or whose playable copy is being made, never another file', () => {
    expect(isPending(file('a'))).toBe(true);
    expect(isPending(file('a', { thumbUrl: 'https://s3/t' }))).toBe(false);
    expect(isPending(file('v', { fileType: 'video' }))).toBe(true);
    expect(isPending(file('v', { fileType: 'video', posterUrl: 'https://s3/p' }))).toBe(false);
    // The player says "Making a playable copy…" until the copy is there: followed until then.
    expect(isPending(file('v', { fileType: 'video', posterUrl: 'https://s3/p', video: { container: 'mov', action: 'transcode', playable: 'none', copy: { state: 'pending' } } }))).toBe(true);
    expect(isPending(file('v', { fileType: 'video', posterUrl: 'https://s3/p', video: { container: 'mov', action: 'transcode', playable: 'copy', copy: { state: 'ready' }, copyUrl: 'https://s3/c' } }))).toBe(false);
    expect(isPending(file('d', { fileType: 'other' }))).toBe(false);
  });
});

describe('live tiles', () => {
  it('reads a pending file again with growing delays and shows it once it has a thumbnail, then stops', async () => {
    // Prepare: the thumbnail exists from the third read on.
    const time = fakeTime();
    const reads: number[] = [];
    const applied: FileItem[] = [];
    const live = createLiveTiles({
      ...time,
      get: async (id) => { reads.push(time.now()); return reads.length >= 3 ? file(id, { thumbUrl: 'https://s3/t' }) : file(id); },
      apply: (f) => { applied.push(f); return true; },
    });
    // Act
    live.track(file('a'));
    await time.advance(60_000);
    // Assess
    expect(reads).toEqual([BACKOFF_MS[0], BACKOFF_MS[0]! + BACKOFF_MS[1]!, BACKOFF_MS[0]! + BACKOFF_MS[1]! + BACKOFF_MS[2]!]);
    expect(applied.at(-1)?.thumbUrl).toBe('https://s3/t');
    expect(live.tracked()).toEqual([]);
  });

  it('stops following a file no longer shown or deleted, and gives up on one that never finishes', async () => {
    const time = fakeTime();
    let reads = 0;
    const live = createLiveTiles({
      ...time,
      get: async (id) => {
        reads += 1;
        if (id === 'gone') throw Object.assign(new Error('not found'), { status: 404 });
        return file(id);
      },
      apply: (f) => f.id !== 'elsewhere',
    });
    live.track(file('gone'));
    live.track(file('elsewhere'));
    live.track(file('stuck'));
    live.track(file('done', { thumbUrl: 'https://s3/t' }));
    await time.advance(5_000);
    expect(live.tracked()).toEqual(['stuck']);
    const before = reads;
    await time.advance(GIVE_UP_MS + 60_000);
    expect(live.tracked()).toEqual([]);
    // Backoff: about one read per 30 s once slowed down, not one per second.
    expect(reads - before).toBeLessThan(30);
  });
});
