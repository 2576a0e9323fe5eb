import { describe, expect, it } from 'vitest';
import { etaOf, newUpload, rateOf, totalsOf, transition, type UploadEvent, type UploadItem } from '../src/upload/machine';

const MiB = 1024 * 1024;
const file = { name: 'clip.mp4', size: 20 * MiB, lastModified: 1700000000000, type: 'video/mp4' };

function run(item: UploadItem, ...events: UploadEvent[]): UploadItem {
  return events.reduce(transition, item);
}

describe('upload machine', () => {
  describe('newUpload', () => {
    it('keys a file by name, size and date so a re-selected file finds its upload', () => {
      const item = newUpload(file, '/trips');
      expect(item.key).toBe('clip.mp4|20971520|1700000000000');
      expect(item.phase).toBe('queued');
      expect(item.contentType).toBe('video/mp4');
    });

    it('falls back to application/octet-stream when the browser knows no type', () => {
      expect(newUpload({ ...file, type: '' }, '/').contentType).toBe('application/octet-stream');
    });
  });

  describe('duplicates', () => {
    const copy = { id: 'f1', folder: '/trips', name: 'clip.mp4' };

    it('turns a queued file whose content is in the library into a duplicate that says where, counted in no total', () => {
      const item = run(newUpload(file, '/new'), { type: 'duplicate', copy });
      expect(item).toMatchObject({ phase: 'duplicate', copy });
      expect(totalsOf([item, newUpload({ ...file, name: 'b.mp4' }, '/new')], 0)).toMatchObject({ files: 1, bytes: 20 * MiB });
      // Finished: no start, no cancel.
      expect(run(item, { type: 'start', at: 0 })).toBe(item);
      expect(run(item, { type: 'cancel' })).toBe(item);
    });

    it('sends it anyway when asked, and then never marks it a duplicate again', () => {
      const anyway = run(newUpload(file, '/new'), { type: 'duplicate', copy }, { type: 'upload-anyway' });
      expect(anyway).toMatchObject({ phase: 'queued', uploadAnyway: true });
      expect(run(anyway, { type: 'duplicate', copy }).phase).toBe('queued');
    });

    it('marks only a queued file (one already sending is sent)', () => {
      const started = run(newUpload(file, '/new'), { type: 'start', at: 0 });
      expect(run(started, { type: 'duplicate', copy })).toBe(started);
    });
  });

  describe('transition', () => {
    it('goes queued → starting → uploading → completing → done, counting bytes of finished parts', () => {
      // Prepare
      const item = newUpload(file, '/');
      // Act
      const uploading = run(item, { type: 'start', at: 0 }, { type: 'created', uploadId: 'u1', fileId: 'f-u1', partSize: 8 * MiB, partCount: 3 }, { type: 'held', parts: [], at: 0 });
      const twoParts = run(uploading, { type: 'part-done', partNumber: 1, size: 8 * MiB }, { type: 'part-done', partNumber: 2, size: 8 * MiB });
      const done = run(twoParts, { type: 'part-done', partNumber: 3, size: 4 * MiB }, { type: 'completing' }, { type: 'done' });
      // Assess
      expect(uploading.phase).toBe('uploading');
      expect(twoParts.bytesDone).toBe(16 * MiB);
      expect(twoParts.doneParts).toEqual([1, 2]);
      expect(done.phase).toBe('done');
      expect(done.bytesDone).toBe(file.size);
    });

    it('counts a part once even when it is reported twice (a retried PUT)', () => {
      const item = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'created', uploadId: 'u', fileId: 'f-u', partSize: 8 * MiB, partCount: 3 }, { type: 'held', parts: [], at: 0 });
      const twice = run(item, { type: 'part-done', partNumber: 1, size: 8 * MiB }, { type: 'part-done', partNumber: 1, size: 8 * MiB });
      expect(twice.bytesDone).toBe(8 * MiB);
    });

    it('resumes with the parts S3 holds, leaving only the others to send', () => {
      // Prepare: an upload found after a reload
      const saved: UploadItem = { ...newUpload(file, '/'), phase: 'needs-file', uploadId: 'u', partSize: 8 * MiB, partCount: 3 };
      // Act
      const resumed = run(saved, { type: 'file-found' }, { type: 'start', at: 0 }, { type: 'held', parts: [{ partNumber: 1, size: 8 * MiB }, { partNumber: 3, size: 4 * MiB }], at: 0 });
      // Assess
      expect(resumed.phase).toBe('uploading');
      expect(resumed.doneParts).toEqual([1, 3]);
      expect(resumed.bytesDone).toBe(12 * MiB);
      expect(resumed.partsResumed).toBe(2);
    });

    it('pauses, keeping finished parts, and resumes through the queue', () => {
      const uploading = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'created', uploadId: 'u', fileId: 'f-u', partSize: 8 * MiB, partCount: 3 }, { type: 'held', parts: [], at: 0 }, { type: 'part-done', partNumber: 1, size: 8 * MiB }, { type: 'progress', bytesInFlight: 1000 });
      const paused = transition(uploading, { type: 'pause' });
      expect(paused.phase).toBe('paused');
      expect(paused.bytesDone).toBe(8 * MiB);
      expect(paused.bytesInFlight).toBe(0);
      expect(transition(paused, { type: 'resume' }).phase).toBe('queued');
    });

    it('ignores a failure that arrives after a pause (the aborted request)', () => {
      const paused = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'pause' });
      expect(transition(paused, { type: 'fail', message: 'aborted' })).toBe(paused);
    });

    it('records why an upload failed and lets it be retried', () => {
      const failed = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'fail', message: 'storage answered HTTP 403' });
      expect(failed.phase).toBe('failed');
      expect(failed.error).toBe('storage answered HTTP 403');
      const retried = transition(failed, { type: 'resume' });
      expect(retried.phase).toBe('queued');
      expect(retried.error).toBeUndefined();
    });

    it('cancels any unfinished upload but never a finished one', () => {
      expect(transition(newUpload(file, '/'), { type: 'cancel' }).phase).toBe('cancelled');
      const done = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'held', parts: [], at: 0 }, { type: 'done' });
      expect(transition(done, { type: 'cancel' })).toBe(done);
    });

    it('does not start an upload that is not queued', () => {
      const paused = run(newUpload(file, '/'), { type: 'pause' });
      expect(transition(paused, { type: 'start', at: 1 })).toBe(paused);
    });
  });

  describe('rate and time left', () => {
    it('counts only the bytes sent in this run, not parts resumed', () => {
      const resumed: UploadItem = { ...newUpload(file, '/'), phase: 'needs-file', uploadId: 'u', partSize: 8 * MiB, partCount: 3 };
      const item = run(resumed, { type: 'file-found' }, { type: 'start', at: 0 }, { type: 'held', parts: [{ partNumber: 1, size: 8 * MiB }], at: 0 }, { type: 'progress', bytesInFlight: 4 * MiB });
      expect(rateOf(item, 2000)).toBe(2 * MiB);
      expect(etaOf(item, 2000)).toBe(4);
    });

    it('adds the rates of all active uploads into the total and its time left', () => {
      const a = run(newUpload(file, '/'), { type: 'start', at: 0 }, { type: 'held', parts: [], at: 0 }, { type: 'progress', bytesInFlight: 2 * MiB });
      const b = run(newUpload({ ...file, name: 'b' }, '/'), { type: 'start', at: 0 }, { type: 'held', parts: [], at: 0 }, { type: 'progress', bytesInFlight: 2 * MiB });
      const totals = totalsOf([a, b], 1000);
      expect(totals.rate).toBe(4 * MiB);
      expect(totals.sent).toBe(4 * MiB);
      expect(totals.eta).toBe(9);
    });
  });
});
