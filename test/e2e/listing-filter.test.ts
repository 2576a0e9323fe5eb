/**
 * GET /files?folder=&type= over HTTP: a folder of many images with 3 videos scattered among
 * them lists exactly the 3 videos, paged with the sealed cursor, in every order a user can
 * pick; pages are filled with that type only; a cursor of another type or of the unfiltered
 * listing is refused, and so is an unknown type. `type` without `folder` still lists the type
 * across folders.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { cameraJpeg } from '../support/media-samples';
import { e2eContext } from './support/context';
import { uploadFile } from './support/files';
import { api, eventually, login } from './support/http';
import { expectedOrder, ORDERS, type Listed, type Page, type Sort } from './support/listing';
import { jpegLike } from './support/media';

const IMAGES = 45;
/** The videos go up between images (at these upload positions), named to fall between them too. */
const VIDEOS = new Map([
  [5, 'img-007-clip.mp4'],
  [22, 'img-031-clip.mp4'],
  [40, 'img-002-clip.mp4'],
]);
const PROCESSING_TIMEOUT_MS = 90_000;

describe('GET /files?folder=&type= lists only that type of the folder', () => {
  const context = e2eContext();
  const folder = `/e2e-filter-${randomBytes(4).toString('hex')}`;
  let token: string;
  let all: Listed[];

  const list = (query: string) => api<Page & { error?: { code: string; message: string } }>(`/files?folder=${encodeURIComponent(folder)}&${query}`, { token });

  /** Every page of `type` in one order at `limit`, following the cursors. */
  async function pages(type: string, sort: Sort, order: string, limit: number): Promise<Page[]> {
    const out: Page[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: Page } = await list(`type=${type}&sort=${sort}&order=${order}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      out.push(response.body);
      cursor = response.body.nextCursor;
    } while (cursor !== null && out.length <= IMAGES + VIDEOS.size);
    return out;
  }

  beforeAll(async () => {
    token = await login(context.editor);
    const uploads: { name: string; bytes: Buffer; contentType: string }[] = [];
    for (let i = 0, image = 0; image < IMAGES; i += 1) {
      const video = VIDEOS.get(i);
      if (video !== undefined) uploads.push({ name: video, bytes: randomBytes(256), contentType: 'video/mp4' });
      else {
        // Every fifth image carries a date taken long ago, so the date-taken order differs from the upload order.
        const bytes = image % 5 === 0
          ? await sharp(await cameraJpeg({ width: 32, height: 24, exif: false })).withExif({ IFD2: { DateTimeOriginal: `20${10 + image / 5}:01:01 00:00:00`, OffsetTimeOriginal: '+00:00' } }).toBuffer()
          : jpegLike(1024);
        uploads.push({ name: `img-${String((image * 17) % IMAGES).padStart(3, '0')}.jpg`, bytes, contentType: 'image/jpeg' });
        image += 1;
      }
    }
    // In small sequential batches, so upload times spread the videos among the images.
    for (let i = 0; i < uploads.length; i += 4) {
      await Promise.all(uploads.slice(i, i + 4).map((u) => uploadFile(token, folder, u.name, u.bytes, { contentType: u.contentType })));
    }
    const settled = await eventually(async () => {
      const page = await list('limit=1000');
      const ready = page.body.files.length === uploads.length && page.body.files.every((f) => f.processing !== 'pending');
      return ready ? page.body.files : undefined;
    }, PROCESSING_TIMEOUT_MS);
    if (settled === undefined) throw new Error(`the folder did not list ${uploads.length} processed files in time`);
    all = settled;
  }, 180_000);

  it('holds the three videos among the images', () => {
    expect(all.filter((f) => f.fileType === 'video').map((f) => f.name).sort()).toEqual([...VIDEOS.values()].sort());
    expect(all.filter((f) => f.fileType === 'image')).toHaveLength(IMAGES);
  });

  it.each(ORDERS)('type=video sort=%s order=%s returns exactly the 3 videos, one per page of 1, in that order', async (sort, order) => {
    const got = await pages('video', sort, order, 1);

    expect(got.map((p) => p.files.length)).toEqual([1, 1, 1]);
    expect(got.flatMap((p) => p.files.map((f) => f.name))).toEqual(expectedOrder(all.filter((f) => f.fileType === 'video'), sort, order));
    expect(got[got.length - 1]?.nextCursor).toBeNull();
  });

  it.each(ORDERS)('type=image sort=%s order=%s fills pages of 10 with images only, in that order', async (sort, order) => {
    const got = await pages('image', sort, order, 10);

    expect(got.map((p) => p.files.length)).toEqual([10, 10, 10, 10, 5]);
    expect(got.flatMap((p) => p.files.map((f) => f.name))).toEqual(expectedOrder(all.filter((f) => f.fileType === 'image'), sort, order));
  });

  it('answers an empty last page for a type the folder has none of', async () => {
    const response = await list('type=other');

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ files: [], nextCursor: null });
  });

  it('refuses a cursor of another type, of the unfiltered listing, or of another order with 400 InvalidCursor', async () => {
    const video = (await list('type=video&sort=uploaded&limit=1')).body.nextCursor as string;
    const unfiltered = (await list('sort=uploaded&limit=1')).body.nextCursor as string;
    expect([video, unfiltered]).toEqual([expect.any(String), expect.any(String)]);

    const swaps = [
      ['type=image&sort=uploaded', video],
      ['sort=uploaded', video],
      ['type=video&sort=uploaded&order=asc', video],
      ['type=video', video],
      ['type=video&sort=uploaded', unfiltered],
    ] as const;
    for (const [query, cursor] of swaps) {
      const response = await list(`${query}&cursor=${encodeURIComponent(cursor)}`);
      expect([query, response.status, response.body.error?.code]).toEqual([query, 400, 'InvalidCursor']);
    }
  });

  it('refuses an unknown type with a 400 naming the parameter', async () => {
    const response = await list('type=audio&sort=name');

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('video') });
  });

  it('still lists a type across folders, newest first, when no folder is given', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: Page } = await api<Page>(`/files?type=video&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
      expect(response.status).toBe(200);
      seen.push(...response.body.files.filter((f) => all.some((mine) => mine.id === f.id)).map((f) => f.name));
      cursor = response.body.nextCursor;
    } while (cursor !== null);

    expect(seen).toEqual(expectedOrder(all.filter((f) => f.fileType === 'video'), 'uploaded', 'desc'));
  });
});
