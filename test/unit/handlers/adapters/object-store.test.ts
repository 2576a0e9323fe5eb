import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { S3ObjectStore } from '../../../../handlers/adapters/object-store';

/** An S3 client double that records commands and answers from `answer`. */
function fakeClient(answer: (command: object) => unknown): { client: S3Client; sent: object[] } {
  const sent: object[] = [];
  const client = {
    send: async (command: object) => {
      sent.push(command);
      const out = answer(command);
      if (out instanceof Error) throw out;
      return out;
    },
  } as unknown as S3Client;
  return { client, sent };
}

const HEAD = { ContentLength: 25, ContentType: 'video/mp4', CacheControl: 'max-age=1', ETag: '"e1"', Metadata: { 'upload-id': 'u' } };

describe('S3ObjectStore.copy', () => {
  it('copies up to the limit with one CopyObject: REPLACE with the source headers, metadata merged, ETag required', async () => {
    // Prepare
    const { client, sent } = fakeClient((c) => (c instanceof HeadObjectCommand ? HEAD : {}));
    // Act
    await new S3ObjectStore({ bucket: 'b', client }).copy({ sourceKey: 'media/a b/+&.mp4', destinationKey: 'media/x.mp4', addMetadata: { 'move-id': 'm' }, sourceEtag: 'e1' });
    // Assess
    const copy = sent.find((c) => c instanceof CopyObjectCommand) as CopyObjectCommand;
    expect(copy.input).toEqual({
      Bucket: 'b',
      Key: 'media/x.mp4',
      CopySource: 'b/media/a%20b/%2B%26.mp4',
      MetadataDirective: 'REPLACE',
      ContentType: 'video/mp4',
      CacheControl: 'max-age=1',
      Metadata: { 'upload-id': 'u', 'move-id': 'm' },
      CopySourceIfMatch: '"e1"',
    });
  });

  it('copies a larger object in parts of the given size and completes them in order', async () => {
    const { client, sent } = fakeClient((c) =>
      c instanceof HeadObjectCommand ? HEAD : c instanceof CreateMultipartUploadCommand ? { UploadId: 'up' } : c instanceof UploadPartCopyCommand ? { CopyPartResult: { ETag: `"p${c.input.PartNumber}"` } } : {},
    );

    await new S3ObjectStore({ bucket: 'b', client, singleCopyMaxBytes: 10, copyPartBytes: 10 }).copy({ sourceKey: 'media/a.mp4', destinationKey: 'media/b.mp4' });

    const ranges = sent.filter((c): c is UploadPartCopyCommand => c instanceof UploadPartCopyCommand).map((c) => [c.input.PartNumber, c.input.CopySourceRange]);
    expect(ranges.sort()).toEqual([
      [1, 'bytes=0-9'],
      [2, 'bytes=10-19'],
      [3, 'bytes=20-24'],
    ]);
    const create = sent.find((c) => c instanceof CreateMultipartUploadCommand) as CreateMultipartUploadCommand;
    expect(create.input).toMatchObject({ ContentType: 'video/mp4', Metadata: { 'upload-id': 'u' } });
    const complete = sent.find((c) => c instanceof CompleteMultipartUploadCommand) as CompleteMultipartUploadCommand;
    expect(complete.input.MultipartUpload?.Parts).toEqual([
      { PartNumber: 1, ETag: '"p1"' },
      { PartNumber: 2, ETag: '"p2"' },
      { PartNumber: 3, ETag: '"p3"' },
    ]);
  });

  it('aborts the multipart upload when a part copy fails, and rethrows', async () => {
    const failure = Object.assign(new Error('InternalError'), { $metadata: { httpStatusCode: 500 } });
    const { client, sent } = fakeClient((c) =>
      c instanceof HeadObjectCommand ? HEAD : c instanceof CreateMultipartUploadCommand ? { UploadId: 'up' } : c instanceof UploadPartCopyCommand && c.input.PartNumber === 2 ? failure : c instanceof UploadPartCopyCommand ? { CopyPartResult: { ETag: '"p"' } } : {},
    );

    await expect(new S3ObjectStore({ bucket: 'b', client, singleCopyMaxBytes: 10, copyPartBytes: 10 }).copy({ sourceKey: 'media/a.mp4', destinationKey: 'media/b.mp4' })).rejects.toBe(failure);

    expect(sent.some((c) => c instanceof CompleteMultipartUploadCommand)).toBe(false);
    expect((sent.find((c) => c instanceof AbortMultipartUploadCommand) as AbortMultipartUploadCommand).input).toEqual({ Bucket: 'b', Key: 'media/b.mp4', UploadId: 'up' });
  });
});
