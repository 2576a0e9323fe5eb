/**
 * Thumbnails, previews, posters and metadata on the local stack: real files go up through the
 * API, the sync function hands each to the process function (its zip, with sharp, heic-decode
 * and ffmpeg, run in the stack's worker threads), and the files API answers the results with
 * presigned URLs of WebP images.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reprocess } from '../../scripts/reprocess';
import sharp, { type Metadata } from 'sharp';
import { derivedPrefixOf } from '../../handlers/core/media';
import { cameraJpeg, HEIC_SAMPLE, png, pngBomb, truncatedJpeg, video } from '../support/media-samples';
import { ffconcatList, fifoWatch, hlsPlaylist, recordingServer } from '../support/hostile-videos';
import { e2eContext } from './support/context';
import { adminS3, catalogRow, keyOf, listFolder, uploadFile, type FileBody } from './support/files';
import { api, eventually, login } from './support/http';

interface MediaFile extends FileBody {
  processing: 'pending' | 'ready' | 'failed' | 'unsupported';
  processingReason?: string;
  width?: number;
  height?: number;
  takenAt?: string;
  takenAtOffset?: string;
  orientation?: number;
  cameraMake?: string;
  cameraModel?: string;
  latitude?: number;
  durationSeconds?: number;
  codec?: string;
  browserPlayable?: boolean;
  thumbUrl?: string;
  previewUrl?: string;
  posterUrl?: string;
}

const PROCESSING_TIMEOUT_MS = 15_000;

describe('media processing', () => {
  const context = e2eContext();
  const folder = `/media-${randomBytes(4).toString('hex')}`;
  const s3 = adminS3();
  let token: string;

  beforeAll(async () => {
    token = await login(context.editor);
  });

  /** GET /files/{id} until processing has settled (anything but pending). */
  const processed = async (id: string): Promise<MediaFile> => {
    const file = await eventually(async () => {
      const response = await api<MediaFile>(`/files/${id}`, { token });
      return response.status === 200 && response.body.processing !== 'pending' ? response.body : undefined;
    }, PROCESSING_TIMEOUT_MS);
    if (file === undefined) throw new Error(`file ${keyOf(id)} was still pending after ${PROCESSING_TIMEOUT_MS} ms`);
    return file;
  };

  /** Fetches a presigned derived image: it must be WebP, and carry no metadata. */
  const webp = async (url: string | undefined): Promise<Metadata> => {
    expect(url).toBeDefined();
    const response = await fetch(url as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const metadata = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect(metadata.format).toBe('webp');
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    return metadata;
  };

  const derivedKeys = async (key: string): Promise<string[]> => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: context.bucketName, Prefix: derivedPrefixOf(key) }));
    return (out.Contents ?? []).map((o) => o.Key as string);
  };

  it('turns a JPEG with EXIF orientation 6 and GPS into upright WebP thumbnail and preview without metadata, and reads when and with what it was taken', async () => {
    const id = await uploadFile(token, folder, 'upright.jpg', await cameraJpeg({ width: 1600, height: 1200, orientation: 6 }));
    const file = await processed(id);

    expect(file).toMatchObject({
      processing: 'ready',
      width: 1200,
      height: 1600,
      orientation: 6,
      takenAt: '2024-07-14T16:30:05.250Z',
      takenAtOffset: '+02:00',
      cameraMake: 'Canon',
      cameraModel: 'Canon EOS R6',
    });
    // GPS is not exposed unless the module's expose_gps allows it.
    expect(file.latitude).toBeUndefined();
    expect(JSON.stringify(await catalogRow(keyOf(id)))).not.toMatch(/latitude|longitude|GPS/i);

    const thumb = await webp(file.thumbUrl);
    expect([thumb.width, thumb.height]).toEqual([192, 256]);
    const preview = await webp(file.previewUrl);
    expect([preview.width, preview.height]).toEqual([960, 1280]);
    expect(file.posterUrl).toBeUndefined();
  });

  it('renders a PNG and an iPhone HEIC (HEVC, decoded by the WASM decoder)', async () => {
    const pngId = await uploadFile(token, folder, 'drawing.png', await png(640, 400), { contentType: 'image/png' });
    const heicId = await uploadFile(token, folder, 'iphone.heic', readFileSync(HEIC_SAMPLE), { contentType: 'image/heic' });

    const [pngFile, heicFile] = await Promise.all([processed(pngId), processed(heicId)]);
    expect(pngFile).toMatchObject({ processing: 'ready', width: 640, height: 400, orientation: 1 });
    expect(pngFile.takenAt).toBeUndefined();
    const pngThumb = await webp(pngFile.thumbUrl);
    expect([pngThumb.width, pngThumb.height]).toEqual([256, 160]);
    // Never enlarged: a preview of a small image keeps its size.
    expect(await webp(pngFile.previewUrl)).toMatchObject({ width: 640, height: 400 });

    expect(heicFile).toMatchObject({ processing: 'ready', width: 400, height: 300 });
    expect(await webp(heicFile.thumbUrl)).toMatchObject({ width: 256, height: 192 });
  });

  it('gives an MP4 and a rotated QuickTime video a poster, duration and codec, and tells which a browser can play', async () => {
    const mp4Id = await uploadFile(token, folder, 'clip.mp4', video('mp4'), { contentType: 'video/mp4' });
    const movId = await uploadFile(token, folder, 'upright.mov', video('rotated-mov'), { contentType: 'video/quicktime' });

    const [mp4, mov] = await Promise.all([processed(mp4Id), processed(movId)]);
    expect(mp4).toMatchObject({ processing: 'ready', width: 320, height: 240, durationSeconds: 2, codec: 'h264', browserPlayable: true });
    expect(await webp(mp4.posterUrl)).toMatchObject({ width: 320, height: 240 });
    expect(await webp(mp4.thumbUrl)).toMatchObject({ width: 256, height: 192 });
    expect(mp4.previewUrl).toBeUndefined();

    expect(mov).toMatchObject({ processing: 'ready', width: 240, height: 320, durationSeconds: 2, codec: 'h264', browserPlayable: false, takenAt: '2024-07-14T16:30:05.000Z' });
    // The poster is turned as the video is shown.
    expect(await webp(mov.posterUrl)).toMatchObject({ width: 240, height: 320 });
  });

  it('marks a truncated JPEG and a decompression bomb failed with a reason, and goes on processing other files', async () => {
    const truncatedId = await uploadFile(token, folder, 'broken.jpg', await truncatedJpeg());
    const bombId = await uploadFile(token, folder, 'bomb.png', pngBomb(), { contentType: 'image/png' });

    const [truncated, bomb] = await Promise.all([processed(truncatedId), processed(bombId)]);
    expect(truncated).toMatchObject({ processing: 'failed', processingReason: 'image could not be decoded' });
    expect(truncated.thumbUrl).toBeUndefined();
    expect(bomb).toMatchObject({ processing: 'failed', processingReason: 'image exceeds the pixel limit' });
    expect(await derivedKeys(keyOf(bombId))).toEqual([]);
    // Refused files are not retried into the dead-letter queue.
    const failed = readdirFailed(context.deadLetterDir).filter((record) => record.includes(keyOf(bombId)) || record.includes(keyOf(truncatedId)));
    expect(failed).toEqual([]);

    const afterId = await uploadFile(token, folder, 'after.jpg', await cameraJpeg({ width: 400, height: 300 }));
    expect((await processed(afterId)).processing).toBe('ready');
  });

  it('fetches nothing that a playlist or a file list uploaded as a video names: each ends failed without images, and other files are processed', async () => {
    const target = await recordingServer();
    const scratch = mkdtempSync(path.join(tmpdir(), 'hostile-video-'));
    const secret = fifoWatch(path.join(scratch, 'secret.ts'));
    try {
      const hlsId = await uploadFile(token, folder, 'playlist.mp4', hlsPlaylist(`${target.origin}/seg.ts`), { contentType: 'video/mp4' });
      const concatId = await uploadFile(token, folder, 'list.mov', ffconcatList([`file:${secret.path}`, 'file:/etc/passwd', `${target.origin}/part.ts`]), { contentType: 'video/quicktime' });
      const goodId = await uploadFile(token, folder, 'beside.mp4', video('mp4'), { contentType: 'video/mp4' });

      const [hls, concat] = await Promise.all([processed(hlsId), processed(concatId)]);
      expect(target.requests).toEqual([]);
      for (const [id, file] of [[hlsId, hls], [concatId, concat]] as const) {
        expect(file).toMatchObject({ processing: 'failed', processingReason: 'not a supported video container' });
        expect(file.posterUrl).toBeUndefined();
        expect(file.thumbUrl).toBeUndefined();
        expect(await derivedKeys(keyOf(id))).toEqual([]);
      }
      expect(await processed(goodId)).toMatchObject({ processing: 'ready', codec: 'h264' });
      expect(readdirFailed(context.deadLetterDir).filter((record) => record.includes(keyOf(hlsId)) || record.includes(keyOf(concatId)))).toEqual([]);
    } finally {
      const opened = await secret.openedAndClose();
      await target.close();
      rmSync(scratch, { recursive: true, force: true });
      expect(opened).toBe(false);
    }
  });

  it('deletes the derived images with the original, and moves them along when the original moves', async () => {
    const goneId = await uploadFile(token, folder, 'gone.jpg', await cameraJpeg({ width: 400, height: 300 }));
    const movedId = await uploadFile(token, folder, 'before-move.jpg', await cameraJpeg({ width: 400, height: 300 }));
    await Promise.all([processed(goneId), processed(movedId)]);
    expect(await derivedKeys(keyOf(goneId))).toHaveLength(2);

    expect((await api(`/files/${goneId}`, { token, method: 'DELETE' })).status).toBe(204);
    expect(await eventually(async () => ((await derivedKeys(keyOf(goneId))).length === 0 ? true : undefined), PROCESSING_TIMEOUT_MS)).toBe(true);

    const moved = await api<MediaFile>(`/files/${movedId}`, { token, method: 'PATCH', json: { folder: `${folder}/moved`, name: 'after-move.jpg' } });
    expect(moved.status).toBe(200);
    const newFile = await processed(moved.body.id);
    expect(newFile).toMatchObject({ processing: 'ready', width: 400, height: 300 });
    await webp(newFile.thumbUrl);
    expect(await eventually(async () => ((await derivedKeys(keyOf(movedId))).length === 0 ? true : undefined), PROCESSING_TIMEOUT_MS)).toBe(true);
  });

  it('backfills files catalogued before processing and the uploaded order existed with npm run reprocess --missing, leaving processed files alone', async () => {
    const reprocessFolder = `${folder}/backfill`;
    const doneId = await uploadFile(token, reprocessFolder, 'done.jpg', await cameraJpeg({ width: 400, height: 300 }));
    const oldId = await uploadFile(token, reprocessFolder, 'old.jpg', await cameraJpeg({ width: 400, height: 300 }));
    await Promise.all([processed(doneId), processed(oldId)]);
    // As a row written before this feature: no processing fields, no derived images.
    await forgetProcessing(keyOf(oldId));
    for (const key of await derivedKeys(keyOf(oldId))) await s3.send(new DeleteObjectCommand({ Bucket: context.bucketName, Key: key }));
    expect((await api<MediaFile>(`/files/${oldId}`, { token })).body).toMatchObject({ processing: 'pending' });
    const uploadedOrder = async (): Promise<string[]> =>
      (await api<{ files: MediaFile[] }>(`/files?folder=${encodeURIComponent(reprocessFolder)}&sort=uploaded`, { token })).body.files.map((f) => f.name);
    expect(await uploadedOrder()).toEqual(['done.jpg']);

    const stackFile = path.join(mkdtempSync(path.join(tmpdir(), 'reprocess-')), 'stack.json');
    writeFileSync(stackFile, JSON.stringify(context), { mode: 0o600 });
    const out: string[] = [];
    const code = await reprocess(['--stack', stackFile, '--folder', reprocessFolder, '--missing', '--json'], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });

    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ folder: reprocessFolder, which: 'missing', files: 1, counts: { ready: 1, failed: 0, error: 0 } });
    const file = (await api<MediaFile>(`/files/${oldId}`, { token })).body;
    expect(file).toMatchObject({ processing: 'ready', width: 400, height: 300, takenAtOffset: '+02:00' });
    await webp(file.thumbUrl);
    expect(await uploadedOrder()).toEqual(['old.jpg', 'done.jpg']);
  });

  it('lists a folder with thumbnail URLs that answer image/webp, and by date taken with sort=taken', async () => {
    const sortFolder = `${folder}/by-date`;
    // Uploaded newest first: name order, upload order and date-taken order all differ.
    const later = await sharp(await cameraJpeg({ width: 300, height: 200, exif: false }))
      .withExif({ IFD2: { DateTimeOriginal: '2024:08:01 09:00:00', OffsetTimeOriginal: '-04:00' } })
      .toBuffer();
    const earlier = await sharp(await cameraJpeg({ width: 300, height: 200, exif: false }))
      .withExif({ IFD2: { DateTimeOriginal: '2023:12:31 23:59:00', OffsetTimeOriginal: '+09:00' } })
      .toBuffer();
    const ids = [await uploadFile(token, sortFolder, 'a-later.jpg', later), await uploadFile(token, sortFolder, 'b-earlier.jpg', earlier)];
    await Promise.all(ids.map(processed));

    const listed = (await listFolder(token, sortFolder)) as MediaFile[];
    expect(listed.map((f) => f.name)).toEqual(['a-later.jpg', 'b-earlier.jpg']);
    for (const file of listed) await webp(file.thumbUrl);

    const byDate = await api<{ files: MediaFile[]; nextCursor: string | null }>(`/files?folder=${encodeURIComponent(sortFolder)}&sort=taken&limit=1`, { token });
    expect(byDate.status).toBe(200);
    expect(byDate.body.files.map((f) => [f.name, f.takenAt])).toEqual([['b-earlier.jpg', '2023-12-31T14:59:00.000Z']]);
    const next = await api<{ files: MediaFile[]; nextCursor: string | null }>(`/files?folder=${encodeURIComponent(sortFolder)}&sort=taken&limit=1&cursor=${byDate.body.nextCursor}`, { token });
    expect(next.body.files.map((f) => [f.name, f.takenAt])).toEqual([['a-later.jpg', '2024-08-01T13:00:00.000Z']]);

    const bad = await api<{ error: { code: string } }>(`/files?folder=${encodeURIComponent(sortFolder)}&sort=size`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ValidationError');
  });
});

/** The dead-letter records the local stack kept, as text. */
function readdirFailed(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).map((name) => readFileSync(path.join(dir, name), 'utf8')) : [];
}

/** Strips a row back to what it was before processing existed. */
async function forgetProcessing(key: string): Promise<void> {
  const context = e2eContext();
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials }));
  try {
    const rest = key.slice('media'.length);
    const slash = rest.lastIndexOf('/');
    await client.send(
      new UpdateCommand({
        TableName: context.tableName,
        Key: { pk: `FOLDER#${rest.slice(0, slash) || '/'}`, sk: `FILE#${rest.slice(slash + 1)}` },
        UpdateExpression: 'REMOVE processing, media, derived, gsi3pk, gsi3sk',
      }),
    );
  } finally {
    client.destroy();
  }
}
