/**
 * The trash over HTTP on the local stack (docs/api.md "Trash"): a deleted file leaves listings,
 * the timeline and the catalog, waits in the trash and comes back exactly (same bytes by SHA-256,
 * tags, description, date taken, upload time, thumbnails made again); a restore into a taken
 * place lands beside it; a folder of a few hundred files is deleted with everything in it, then
 * restored and deleted forever as jobs, checked after a fresh read of every page. Bad input is a
 * 400 naming the field; others' entries are a 404.
 *
 * The bulk part runs as a user of its own limited to this run's folder, so its timeline counts and
 * its "all" cover this test's files only while other tests delete theirs meanwhile.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { cameraJpeg } from '../support/media-samples';
import { e2eContext } from './support/context';
import { fileWhen, uploadFile, type FileBody, type FilePage } from './support/files';
import { api, eventually, expectErrorBody, login } from './support/http';
import { localS3Client } from './support/local-s3';
import { jpegLike } from './support/media';
import { cliHome, runCli } from './support/cli';
import type { TrashJob, TrashPage } from '../../contract/wire';

jest.setTimeout(300_000);

/** Files seeded into the folder that is deleted whole: realistic for CI (the bench takes 10,000). */
const BULK = 300;

const sha = (bytes: Buffer | ArrayBuffer): string => createHash('sha256').update(Buffer.from(bytes as ArrayBuffer)).digest('hex');

interface Viewed extends FileBody {
  takenAt?: string;
  thumbUrl?: string;
}

describe('the trash', () => {
  const context = e2eContext();
  const tag = randomBytes(4).toString('hex');
  const base = `/trash-${tag}`;
  let admin: string;
  let editor: string;

  const download = async (token: string, id: string): Promise<string> => {
    const redirect = await fetch(`${context.apiUrl}/files/${id}/download`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    return sha(await (await fetch(redirect.headers.get('location') as string)).arrayBuffer());
  };
  const trashOf = async (token: string): Promise<TrashPage['entries']> => {
    const entries: TrashPage['entries'][number][] = [];
    let cursor: string | undefined;
    do {
      const page = await api<TrashPage>(`/trash?limit=500${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(page.status).toBe(200);
      entries.push(...page.body.entries);
      cursor = page.body.nextCursor;
    } while (cursor !== undefined);
    return entries;
  };
  const finished = (token: string, id: string) =>
    eventually(async () => {
      const { body } = await api<{ job: TrashJob }>(`/jobs/${id}`, { token });
      return body.job.status === 'succeeded' || body.job.status === 'failed' ? body.job : undefined;
    }, 240_000, 250);

  beforeAll(async () => {
    admin = await login(context.admin);
    editor = await login(context.editor);
  });

  it('takes a deleted file out of listings and brings it back exactly: bytes, tags, description, date taken, thumbnails', async () => {
    const folder = `${base}/one`;
    const bytes = await cameraJpeg({ width: 64, height: 48 });
    const id = await uploadFile(editor, folder, 'beach.jpg', bytes, { tags: ['summer', 'sea'], description: 'at the beach' });
    const before = (await fileWhen(editor, id, (f) => (f as Viewed).thumbUrl !== undefined && (f as Viewed).takenAt !== undefined, 30_000)) as Viewed;
    expect(before).toBeDefined();

    const deleted = await api(`/files/${id}`, { method: 'DELETE', token: editor });
    expect(deleted.status).toBe(204);
    expect((await api(`/files/${id}`, { token: editor })).status).toBe(404);
    expect((await api<FilePage>(`/files?folder=${encodeURIComponent(folder)}`, { token: editor })).body.files).toEqual([]);

    const entry = (await trashOf(editor)).find((e) => e.folder === folder && e.name === 'beach.jpg');
    expect(entry).toMatchObject({ size: bytes.length, deletedBy: context.editor.username, uploadedBy: context.editor.username, contentType: 'image/jpeg' });
    expect(Date.parse(entry!.expiresAt) - Date.parse(entry!.deletedAt)).toBe(30 * 24 * 3600 * 1000);
    // Not another editor's to see, restore or delete forever.
    const viewer = await login(context.viewer);
    expect((await trashOf(viewer)).some((e) => e.id === entry!.id)).toBe(false);
    expect((await api(`/trash/${entry!.id}/restore`, { method: 'POST', json: {}, token: viewer })).status).toBe(403);

    const restored = await api<{ file: { id: string; name: string }; renamed: boolean }>(`/trash/${entry!.id}/restore`, { method: 'POST', json: {}, token: editor });
    expect(restored.status).toBe(200);
    expect(restored.body).toEqual({ file: { id, folder, name: 'beach.jpg' }, renamed: false });
    const after = (await fileWhen(editor, id, (f) => (f as Viewed).thumbUrl !== undefined && (f as Viewed).takenAt !== undefined, 30_000)) as Viewed;
    expect(after).toMatchObject({ tags: ['summer', 'sea'], description: 'at the beach', takenAt: before.takenAt, uploadedAt: before.uploadedAt, uploadedBy: before.uploadedBy, size: bytes.length });
    expect(await download(editor, id)).toBe(sha(bytes));
    expect((await trashOf(editor)).some((e) => e.id === entry!.id)).toBe(false);
    // Gone from the trash: a second restore is a 404.
    const again = await api(`/trash/${entry!.id}/restore`, { method: 'POST', json: {}, token: editor });
    expect(again.status).toBe(404);
    expectErrorBody(again);
  });

  it('restores beside the place under a free name when a new file took it', async () => {
    const folder = `${base}/two`;
    const first = jpegLike(3000);
    const id = await uploadFile(editor, folder, 'note.jpg', first);
    expect(await fileWhen(editor, id, () => true, 10_000)).toBeDefined();
    expect((await api(`/files/${id}`, { method: 'DELETE', token: editor })).status).toBe(204);
    const entry = (await trashOf(editor)).find((e) => e.folder === folder);
    const secondBytes = jpegLike(2000);
    const second = await uploadFile(editor, folder, 'note.jpg', secondBytes);
    expect(await fileWhen(editor, second, (f) => f.size === secondBytes.length, 10_000)).toBeDefined();

    const restored = await api<{ file: { id: string; name: string }; renamed: boolean }>(`/trash/${entry!.id}/restore`, { method: 'POST', json: {}, token: editor });
    expect(restored.body).toMatchObject({ file: { name: 'note (restored).jpg' }, renamed: true });
    expect(await fileWhen(editor, restored.body.file.id, () => true, 10_000)).toMatchObject({ size: first.length });
    expect(await download(editor, restored.body.file.id)).toBe(sha(first));
    expect(await download(editor, second)).toBe(sha(secondBytes));
  });

  it('media-store trash ls, restore and empty, over HTTP', async () => {
    const folder = `${base}/cli`;
    const home = cliHome(context.apiUrl);
    try {
      expect((await runCli(['login', '--username', context.editor.username, '--password-stdin'], { env: home.env, stdin: `${context.editor.password}\n` })).code).toBe(0);
      const bytes = jpegLike(4000);
      const id = await uploadFile(editor, folder, 'kite.jpg', bytes);
      expect(await fileWhen(editor, id, () => true, 10_000)).toBeDefined();
      expect((await runCli(['rm', `${folder}/kite.jpg`], { env: home.env })).code).toBe(0);

      const listed = await runCli(['trash', 'ls', '--json'], { env: home.env });
      expect(listed.code).toBe(0);
      const entry = (JSON.parse(listed.stdout) as TrashPage['entries']).find((e) => e.folder === folder && e.name === 'kite.jpg');
      expect(entry).toMatchObject({ size: bytes.length, deletedBy: context.editor.username });
      const table = await runCli(['trash', 'ls'], { env: home.env });
      expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+WAS AT\s+SIZE\s+DELETED\s+UNTIL$/);
      expect(table.stdout).toContain(`${entry!.id}  ${folder}/kite.jpg`);

      const restored = await runCli(['trash', 'restore', entry!.id], { env: home.env });
      expect([restored.code, restored.stdout]).toEqual([0, `restored ${folder}/kite.jpg id=${id}\n`]);
      expect(await fileWhen(editor, id, () => true, 10_000)).toBeDefined();
      expect(await download(editor, id)).toBe(sha(bytes));

      expect((await runCli(['rm', `${folder}/kite.jpg`], { env: home.env })).code).toBe(0);
      const again = (JSON.parse((await runCli(['trash', 'ls', '--json'], { env: home.env })).stdout) as TrashPage['entries']).find((e) => e.folder === folder);
      const emptied = await runCli(['trash', 'empty', again!.id], { env: home.env });
      expect([emptied.code, emptied.stdout]).toEqual([0, 'deleted forever 1 file\n']);
      expect((await trashOf(editor)).some((e) => e.id === again!.id)).toBe(false);

      // Everyone's trash is for admins; a missing id is a usage error before any request.
      const refused = await runCli(['trash', 'empty'], { env: home.env });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/admins/i);
      const usage = await runCli(['trash', 'restore'], { env: home.env });
      expect(usage.code).toBe(2);
      expect(usage.stderr).toMatch(/trash restore takes entry ids \(from trash ls\) or --all/);
    } finally {
      home.remove();
    }
  });

  it('answers bad input with a 400 naming the field, and emptying everyone\'s trash is for admins', async () => {
    const cases: [string, Parameters<typeof api>[1], string][] = [
      ['/trash?limit=0', { token: editor }, 'limit'],
      ['/trash?cursor=nope', { token: editor }, 'cursor'],
      ['/trash/jobs', { json: { action: 'restore' }, token: editor }, 'ids'],
      ['/trash/jobs', { json: { action: 'shred', all: true }, token: editor }, 'action'],
      ['/trash/jobs', { json: { action: 'restore', ids: ['x'] }, token: editor }, 'ids[0]'],
      [`/folders?path=${encodeURIComponent(base)}&recursive=yes`, { method: 'DELETE', token: editor }, 'recursive'],
    ];
    for (const [route, request, field] of cases) {
      const response = await api<{ error: { message: string } }>(route, request);
      expect([route, response.status]).toEqual([route, 400]);
      expectErrorBody(response);
      expect(response.body.error.message.startsWith(`${field}:`)).toBe(true);
    }
    const empty = await api('/trash/jobs', { json: { action: 'purge', all: true }, token: editor });
    expect(empty.status).toBe(403);
    expectErrorBody(empty);
    expect((await api('/trash/AAAAAAAAAAAAAAAAAAAAA/restore', { method: 'POST', json: {}, token: admin })).status).toBe(404);
  });

  it(`deletes a folder of ${BULK} files with everything in it as a job, restores all of it, and deletes some forever`, async () => {
    const folder = `${base}/bulk`;
    const username = `trash${tag}`;
    const created = await api<{ password: string }>('/users', { json: { username, role: 'editor', folders: [folder] }, token: admin });
    expect(created.status).toBe(201);
    const owner = await login({ username, password: created.body.password });

    // Seeded straight into the bucket (the sync catalogs each, as for any object), a subfolder included.
    const s3 = localS3Client(context.s3Endpoint, context.credentials, context.region);
    const names = Array.from({ length: BULK }, (_, i) => `${i % 3 === 0 ? 'sub/' : ''}f${String(i).padStart(4, '0')}.bin`);
    const body = (name: string): Buffer => Buffer.from(`bytes of ${name}`);
    try {
      for (let i = 0; i < names.length; i += 25) {
        await Promise.all(
          names.slice(i, i + 25).map((name) =>
            s3.send(new PutObjectCommand({ Bucket: context.bucketName, Key: `media${folder}/${name}`, Body: body(name), ContentType: 'application/octet-stream' })),
          ),
        );
      }
      const listed = async (): Promise<Map<string, number>> => {
        const found = new Map<string, number>();
        for (const sub of [folder, `${folder}/sub`]) {
          let cursor: string | null = null;
          do {
            const page: FilePage = (await api<FilePage>(`/files?folder=${encodeURIComponent(sub)}&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: owner })).body;
            for (const file of page.files ?? []) found.set(`${sub === folder ? '' : 'sub/'}${file.name}`, file.size);
            cursor = page.nextCursor;
          } while (cursor);
        }
        return found;
      };
      const counted = async (): Promise<number> => (await api<{ buckets: { count: number }[] }>('/timeline/buckets', { token: owner })).body.buckets.reduce((n, b) => n + b.count, 0);
      expect(await eventually(async () => ((await listed()).size === BULK ? true : undefined), 120_000, 500)).toBe(true);
      expect(await eventually(async () => ((await counted()) === BULK ? true : undefined), 30_000, 250)).toBe(true);

      // Without recursive: refused, nothing moved.
      const refused = await api<{ error: { code: string } }>(`/folders?path=${encodeURIComponent(folder)}`, { method: 'DELETE', token: owner });
      expect([refused.status, refused.body.error.code]).toEqual([409, 'FolderNotEmpty']);

      const started = Date.now();
      const deletion = await api<{ job: TrashJob }>(`/folders?path=${encodeURIComponent(folder)}&recursive=true`, { method: 'DELETE', token: owner });
      expect(deletion.status).toBe(202);
      expect(deletion.body.job).toMatchObject({ kind: 'trash', action: 'delete-folder', folder, status: 'pending' });
      const deleted = await finished(owner, deletion.body.job.id);
      const deleteSeconds = (Date.now() - started) / 1000;
      expect(deleted).toMatchObject({ status: 'succeeded', done: BULK, failed: 0 });
      // After the job, read afresh: no file, no folder, the timeline at zero, every file in the trash once.
      expect((await listed()).size).toBe(0);
      expect((await api(`/folders?parent=${encodeURIComponent(base)}`, { token: admin })).body).toMatchObject({ folders: expect.not.arrayContaining([expect.objectContaining({ path: folder })]) });
      expect(await eventually(async () => ((await counted()) === 0 ? true : undefined), 30_000, 250)).toBe(true);
      const inTrash = await trashOf(owner);
      expect(inTrash).toHaveLength(BULK);
      expect(new Set(inTrash.map((e) => `${e.folder === folder ? '' : 'sub/'}${e.name}`))).toEqual(new Set(names));
      expect(inTrash.every((e) => e.deletedWithFolder === folder)).toBe(true);

      const restoreStarted = Date.now();
      const restoring = await api<{ job: TrashJob }>('/trash/jobs', { json: { action: 'restore', all: true }, token: owner });
      expect(restoring.status).toBe(202);
      expect(await finished(owner, restoring.body.job.id)).toMatchObject({ status: 'succeeded', done: BULK, failed: 0 });
      const restoreSeconds = (Date.now() - restoreStarted) / 1000;
      // Every file back at its place with its bytes, the timeline whole again, the trash empty: read afresh.
      const back = await eventually(async () => {
        const found = await listed();
        return found.size === BULK ? found : undefined;
      }, 60_000, 500);
      expect(new Map([...(back ?? new Map<string, number>())].sort())).toEqual(new Map(names.map((n) => [n, body(n).length] as const).sort()));
      expect(await eventually(async () => ((await counted()) === BULK ? true : undefined), 30_000, 250)).toBe(true);
      expect(await trashOf(owner)).toEqual([]);

      // Some deleted again one by one, then forever by id (a job): the bytes leave the bucket's trash/ too.
      const some = (back ? [...back.keys()] : []).filter((n) => !n.startsWith('sub/')).slice(0, 20);
      const page = (await api<FilePage>(`/files?folder=${encodeURIComponent(folder)}&limit=20`, { token: owner })).body.files;
      for (const file of page) expect((await api(`/files/${file.id}`, { method: 'DELETE', token: owner })).status).toBe(204);
      const entries = await trashOf(owner);
      expect(entries.map((e) => e.name).sort()).toEqual(some.sort());
      const purge = await api<{ job: TrashJob }>('/trash/jobs', { json: { action: 'purge', ids: entries.map((e) => e.id) }, token: owner });
      expect(purge.status).toBe(202);
      expect(await finished(owner, purge.body.job.id)).toMatchObject({ status: 'succeeded', done: entries.length });
      expect(await trashOf(owner)).toEqual([]);
      const gone = await s3.send(new HeadObjectCommand({ Bucket: context.bucketName, Key: `trash/${entries[0]!.id}` })).then(
        () => false,
        (error: { $metadata?: { httpStatusCode?: number } }) => error.$metadata?.httpStatusCode === 404,
      );
      expect(gone).toBe(true);
      // The figures, for docs/contributors.md.
      console.log(`trash e2e: ${BULK} files, folder delete ${deleteSeconds.toFixed(1)} s, restore all ${restoreSeconds.toFixed(1)} s`);
    } finally {
      s3.destroy();
      // The e2e stack is shared: give the user's place back.
      await api(`/users/${username}`, { method: 'DELETE', token: admin });
    }
  });
});
