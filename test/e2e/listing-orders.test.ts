/**
 * GET /files?folder= in each order a user can pick (name, uploaded, taken, each either way),
 * paged with the sealed cursor over HTTP: every page joins up into the whole folder in that
 * order, pages that end exactly on the folder's end carry no cursor, and a cursor of one
 * order is refused by every other.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { cameraJpeg } from '../support/media-samples';
import { e2eContext } from './support/context';
import { uploadFile } from './support/files';
import { api, eventually, login } from './support/http';
import { expectedOrder, ORDERS, type Listed, type Page, type Sort } from './support/listing';
import { jpegLike } from './support/media';

/** Dates taken of the camera photos, out of name and upload order. */
const DATED = [
  ['m-dated.jpg', '2021:05:01 10:00:00'],
  ['c-dated.jpg', '2024:02:29 08:00:00'],
  ['x-dated.jpg', '2019:12:31 23:00:00'],
  ['f-dated.jpg', '2022:07:14 12:00:00'],
] as const;
/** Undated files (no image inside: processing finds no date), uploaded in an order unlike their names. */
const UNDATED = ['q.jpg', 'b.jpg', 'w.jpg', 'a.jpg', 'k.jpg', 'z.jpg', 'e.jpg', 'h.jpg', 'r.jpg', 'd.jpg', 'n.jpg', 't.jpg', 'g.jpg', 'p.jpg', 'j.jpg', 'u.jpg'];
const COUNT = DATED.length + UNDATED.length;
const PROCESSING_TIMEOUT_MS = 60_000;

describe('GET /files lists a folder in the order asked for', () => {
  const context = e2eContext();
  const folder = `/e2e-orders-${randomBytes(4).toString('hex')}`;
  let token: string;
  let all: Listed[];

  const list = (query: string) => api<Page>(`/files?folder=${encodeURIComponent(folder)}&${query}`, { token });

  /** Every page of one order at `limit`, following the cursors. */
  async function pages(sort: Sort, order: string, limit: number): Promise<Page[]> {
    const out: Page[] = [];
    let cursor: string | null = null;
    do {
      const response: { status: number; body: Page } = await list(`sort=${sort}&order=${order}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(response.status).toBe(200);
      out.push(response.body);
      cursor = response.body.nextCursor;
    } while (cursor !== null && out.length <= COUNT);
    return out;
  }

  beforeAll(async () => {
    token = await login(context.editor);
    // In small sequential batches, so upload times differ and differ from name order.
    for (const [name, taken] of DATED) {
      const photo = await sharp(await cameraJpeg({ width: 64, height: 48, exif: false })).withExif({ IFD2: { DateTimeOriginal: taken, OffsetTimeOriginal: '+00:00' } }).toBuffer();
      await uploadFile(token, folder, name, photo);
    }
    for (let i = 0; i < UNDATED.length; i += 4) {
      await Promise.all(UNDATED.slice(i, i + 4).map((name) => uploadFile(token, folder, name, jpegLike(2048))));
    }
    const settled = await eventually(async () => {
      const page = await list('limit=1000');
      const ready = page.body.files.length === COUNT && page.body.files.every((f) => f.processing !== 'pending');
      return ready ? page.body.files : undefined;
    }, PROCESSING_TIMEOUT_MS);
    if (settled === undefined) throw new Error(`the folder did not list ${COUNT} processed files in time`);
    all = settled;
  }, 120_000);

  it('knows the date taken of the camera photos only, so the orders differ', () => {
    expect(all.filter((f) => f.takenAt !== undefined).map((f) => f.name).sort()).toEqual(DATED.map(([name]) => name).sort());
    const orders = new Set(ORDERS.map(([sort, order]) => expectedOrder(all, sort, order).join()));
    expect(orders.size).toBe(ORDERS.length);
  });

  it.each(ORDERS)('pages sort=%s order=%s in that order across pages of 7, the last without a cursor', async (sort, order) => {
    const got = await pages(sort, order, 7);

    expect(got.map((p) => p.files.length)).toEqual([7, 7, 6]);
    expect(got.flatMap((p) => p.files.map((f) => f.name))).toEqual(expectedOrder(all, sort, order));
    expect(got[got.length - 1]?.nextCursor).toBeNull();
  });

  it.each(ORDERS)('pages sort=%s order=%s ending exactly on a page boundary (pages of 5) with no cursor to an empty page', async (sort, order) => {
    const got = await pages(sort, order, 5);

    expect(got.map((p) => p.files.length)).toEqual([5, 5, 5, 5]);
    expect(got.flatMap((p) => p.files.map((f) => f.name))).toEqual(expectedOrder(all, sort, order));
  });

  it('lists newest uploads first for sort=uploaded, and oldest date taken first for sort=taken, when no order is given', async () => {
    const uploaded = await list('sort=uploaded&limit=1000');
    const taken = await list('sort=taken&limit=1000');

    expect(uploaded.body.files.map((f) => f.name)).toEqual(expectedOrder(all, 'uploaded', 'desc'));
    expect(taken.body.files.map((f) => f.name)).toEqual(expectedOrder(all, 'taken', 'asc'));
    // Undated files are not dropped from the date-taken order: they sort at their upload time, after these older photos.
    expect(taken.body.files.slice(0, DATED.length).map((f) => f.name)).toEqual(['x-dated.jpg', 'm-dated.jpg', 'f-dated.jpg', 'c-dated.jpg']);
  });

  it('refuses a cursor of one order or direction in every other with 400 InvalidCursor', async () => {
    const firsts = await Promise.all(ORDERS.map(([sort, order]) => list(`sort=${sort}&order=${order}&limit=3`)));
    for (const [i, first] of firsts.entries()) {
      const cursor = first.body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      for (const [j, [sort, order]] of ORDERS.entries()) {
        if (i === j) continue;
        const swapped = await api<{ error: { code: string; message: string } }>(`/files?folder=${encodeURIComponent(folder)}&sort=${sort}&order=${order}&cursor=${encodeURIComponent(cursor)}`, { token });
        expect([ORDERS[i], [sort, order], swapped.status, swapped.body.error?.code]).toEqual([ORDERS[i], [sort, order], 400, 'InvalidCursor']);
      }
    }
  });

  it('refuses an unknown order with a 400 naming the parameter', async () => {
    const response = await api<{ error: { code: string; message: string; field?: string } }>(`/files?folder=${encodeURIComponent(folder)}&sort=uploaded&order=sideways`, { token });

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('asc') });
  });
});
