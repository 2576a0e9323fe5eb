import { applyObjectEvent, parseObjectEvent, TOMBSTONE_TTL_SECONDS, UNKNOWN_UPLOADER, type ObjectEvent, type ObjectHead, type S3NotificationRecord, type UploadSession } from '../../../../handlers/core/catalog';
import { fileIdOf } from '../../../../handlers/core/paths';

const NOW = new Date('2024-05-01T10:00:05.000Z');

function record(eventName: string, key: string, sequencer: string | number | null = '0055AEABD1EA5BB2'): S3NotificationRecord {
  return { eventName, eventTime: '2024-05-01T10:00:00.000Z', s3: { bucket: { name: 'media-bucket' }, object: { key, ...(sequencer !== null ? { sequencer } : {}) } } };
}

const created = (key: string): ObjectEvent => parseObjectEvent(record('ObjectCreated:Put', key)) as ObjectEvent;
const removed = (key: string): ObjectEvent => parseObjectEvent(record('ObjectRemoved:Delete', key)) as ObjectEvent;

const HEAD: ObjectHead = { size: 1234, contentType: 'image/jpeg', etag: 'abc', metadata: { 'upload-id': 'u'.repeat(22) } };
const SESSION: UploadSession = {
  uploadId: 'u'.repeat(22),
  owner: 'ana',
  folder: '/spain2024',
  name: 'IMG 1.jpg',
  key: 'media/spain2024/IMG 1.jpg',
  contentType: 'image/jpeg',
  size: 1234,
  tags: ['beach'],
  description: 'Sunset',
  createdAt: '2024-05-01T09:59:00.000Z',
  expiresAt: '2024-05-01T10:14:00.000Z',
};

describe('catalog', () => {
  describe('parseObjectEvent', () => {
    it('decodes the URL-encoded key (+ is a space) and pads the sequencer', () => {
      const event = parseObjectEvent(record('ObjectCreated:Put', 'media/spain2024/IMG+1.jpg', 'ABC'));
      expect(event).toMatchObject({ kind: 'created', key: 'media/spain2024/IMG 1.jpg', bucket: 'media-bucket' });
      expect((event as ObjectEvent).sequencer).toMatch(/^0+ABC$/);
    });

    it('classifies every ObjectRemoved variant as a removal', () => {
      expect(parseObjectEvent(record('ObjectRemoved:DeleteMarkerCreated', 'media/a.jpg'))).toMatchObject({ kind: 'removed' });
    });

    it('skips other events, malformed keys and missing sequencers', () => {
      expect(parseObjectEvent(record('ObjectRestore:Completed', 'media/a.jpg'))).toEqual({ skip: 'unsupported-event' });
      expect(parseObjectEvent(record('ObjectCreated:Put', 'media/%E0%A4%A'))).toEqual({ skip: 'bad-key' });
      expect(parseObjectEvent(record('ObjectCreated:Put', 'media/a.jpg', null))).toEqual({ skip: 'bad-sequencer' });
    });
  });

  describe('applyObjectEvent', () => {
    it('upserts an available file with size and type from the object and uploader and tags from the session', () => {
      const decision = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: HEAD, session: SESSION, now: NOW });
      expect(decision).toEqual({
        action: 'upsert',
        announce: true,
        file: {
          id: fileIdOf('media/spain2024/IMG 1.jpg'),
          key: 'media/spain2024/IMG 1.jpg',
          folder: '/spain2024',
          name: 'IMG 1.jpg',
          size: 1234,
          contentType: 'image/jpeg',
          fileType: 'image',
          uploadedAt: '2024-05-01T10:00:00.000Z',
          uploadedBy: 'ana',
          tags: ['beach'],
          description: 'Sunset',
          etag: 'abc',
          uploadId: SESSION.uploadId,
          sequencer: expect.stringMatching(/0055AEABD1EA5BB2$/),
          status: 'available',
          // A JPEG waits for its thumbnails.
          processing: 'pending',
        },
      });
    });

    it('trusts the object, not the session, for size and type', () => {
      const decision = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: { ...HEAD, size: 99, contentType: 'video/mp4' }, session: SESSION, now: NOW });
      expect(decision).toMatchObject({ action: 'upsert', file: { size: 99, contentType: 'video/mp4', fileType: 'video' } });
    });

    it('records the whole-file SHA-256 the session declared when the object carries the same value', () => {
      const sha256 = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
      const session = { ...SESSION, sha256 };
      const agreeing = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: { ...HEAD, metadata: { ...HEAD.metadata, sha256 } }, session, now: NOW });
      const other = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: { ...HEAD, metadata: { ...HEAD.metadata, sha256: 'x' } }, session, now: NOW });
      const unsigned = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: HEAD, session, now: NOW });
      expect(agreeing).toMatchObject({ action: 'upsert', file: { sha256 } });
      expect((other as { file: object }).file).not.toHaveProperty('sha256');
      expect((unsigned as { file: object }).file).not.toHaveProperty('sha256');
    });

    it('records the SHA-256 a multipart upload declared when completing (its object carries none), never one contradicting the object', () => {
      const sha256 = 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=';
      const session: UploadSession = { ...SESSION, mode: 'multipart', sha256 };
      const declaredAtCompletion = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: HEAD, session, now: NOW });
      const contradicted = applyObjectEvent({ event: created('media/spain2024/IMG+1.jpg'), head: { ...HEAD, metadata: { ...HEAD.metadata, sha256: 'x' } }, session, now: NOW });
      expect(declaredAtCompletion).toMatchObject({ action: 'upsert', file: { sha256 } });
      expect((contradicted as { file: object }).file).not.toHaveProperty('sha256');
    });

    it('ignores a session created for another key', () => {
      const decision = applyObjectEvent({ event: created('media/other.jpg'), head: HEAD, session: SESSION, now: NOW });
      expect(decision).toMatchObject({ action: 'upsert', file: { uploadedBy: UNKNOWN_UPLOADER, tags: [] } });
      expect((decision as { file: object }).file).not.toHaveProperty('uploadId');
    });

    it('skips a created object that is already gone', () => {
      expect(applyObjectEvent({ event: created('media/a.jpg'), now: NOW })).toEqual({ action: 'skip', reason: 'object-gone' });
    });

    it('skips keys this service does not catalog', () => {
      expect(applyObjectEvent({ event: created('media/folder/'), head: HEAD, now: NOW })).toEqual({ action: 'skip', reason: 'not-a-catalog-key' });
      expect(applyObjectEvent({ event: created('elsewhere/a.jpg'), head: HEAD, now: NOW })).toEqual({ action: 'skip', reason: 'not-a-catalog-key' });
    });

    it('keeps a file whose removal leaves a current object behind, dated by that object', () => {
      const lastModified = new Date('2024-04-01T08:00:00.000Z');
      const decision = applyObjectEvent({ event: removed('media/spain2024/IMG+1.jpg'), head: { ...HEAD, lastModified }, session: SESSION, now: NOW });

      expect(decision).toMatchObject({ action: 'upsert', announce: false, file: { status: 'available', size: 1234, uploadedAt: lastModified.toISOString(), uploadedBy: 'ana' } });
    });

    it('records the current object for a late create but announces only the object the event made', () => {
      const event = { ...created('media/spain2024/IMG+1.jpg'), etag: 'older' };
      const late = applyObjectEvent({ event, head: HEAD, session: SESSION, now: NOW });
      const own = applyObjectEvent({ event: { ...event, etag: 'abc' }, head: HEAD, session: SESSION, now: NOW });

      expect(late).toMatchObject({ action: 'upsert', announce: false, file: { size: 1234, etag: 'abc' } });
      expect(own).toMatchObject({ action: 'upsert', announce: true });
    });

    it('reads the created object\'s ETag from the record without quotes, and none for removals', () => {
      const withEtag = (eventName: string): S3NotificationRecord => ({ ...record(eventName, 'media/a.jpg'), s3: { bucket: { name: 'b' }, object: { key: 'media/a.jpg', sequencer: '1', eTag: '"e1"' } } });

      expect(parseObjectEvent(withEtag('ObjectCreated:Copy'))).toMatchObject({ kind: 'created', etag: 'e1' });
      expect(parseObjectEvent(withEtag('ObjectRemoved:DeleteMarkerCreated'))).not.toHaveProperty('etag');
    });

    it('turns a removal into a tombstone that expires after a few days', () => {
      const decision = applyObjectEvent({ event: removed('media/spain2024/IMG+1.jpg'), now: NOW });
      expect(decision).toMatchObject({
        action: 'tombstone',
        tombstone: { folder: '/spain2024', name: 'IMG 1.jpg', status: 'deleted', ttl: NOW.getTime() / 1000 + TOMBSTONE_TTL_SECONDS },
      });
    });
  });
});
