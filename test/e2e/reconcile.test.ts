/**
 * `npm run reconcile` on the local stack, with drift injected behind the catalog's back: a
 * bogus row, an object deleted and one added without S3 events, a row with the wrong size.
 * The report lists exactly those, `--fix` repairs them, and the report is then clean.
 * Scoped to a folder of its own (`--prefix`) so the other tests' files do not interfere.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { fileIdOf } from '../../handlers/core/paths';
import { fileItemKey, typeIndexKeys } from '../../contract/table';
import { SUPPRESS_EVENTS_HEADER } from '../../local/s3';
import { EXIT, runReconcile } from '../../scripts/reconcile';
import { e2eContext } from './support/context';
import { eventually } from './support/http';

const ROOT = path.resolve(__dirname, '..', '..');

describe('npm run reconcile', () => {
  const context = e2eContext();
  const folder = `/reconcile-${randomBytes(4).toString('hex')}`;
  const prefix = `media${folder}/`;
  const key = (name: string) => `${prefix}${name}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-reconcile-'));
  const stackFile = path.join(dir, 'stack.json');
  const s3 = new S3Client({ endpoint: context.s3Endpoint, region: context.region, forcePathStyle: true, credentials: context.credentials });
  const quietS3 = new S3Client({ endpoint: context.s3Endpoint, region: context.region, forcePathStyle: true, credentials: context.credentials });
  quietS3.middlewareStack.add(
    (next) => async (args) => {
      (args.request as { headers: Record<string, string> }).headers[SUPPRESS_EVENTS_HEADER] = '1';
      return next(args);
    },
    { step: 'build', name: 'suppressEvents' },
  );
  const dynamodb = new DynamoDBClient({ endpoint: context.dynamodbEndpoint, region: context.region, credentials: context.credentials });
  const documents = DynamoDBDocumentClient.from(dynamodb);

  const row = async (name: string) =>
    (await documents.send(new GetCommand({ TableName: context.tableName, Key: fileItemKey(folder, name), ConsistentRead: true }))).Item;
  const reconcile = async (...args: string[]): Promise<{ code: number; output: string; json: () => Record<string, any> }> => {
    const out: string[] = [];
    const code = await runReconcile(['--stack', stackFile, '--prefix', prefix, ...args], { out: (t) => out.push(t), err: (t) => out.push(t), env: {} });
    return { code, output: out.join('\n'), json: () => JSON.parse(out.join('\n')) as Record<string, any> };
  };

  beforeAll(async () => {
    writeFileSync(stackFile, JSON.stringify({ ...context, apiUrl: context.apiUrl }));
    // Four files through the normal path: S3 events let the sync function catalog them.
    for (const [name, type] of [['a.jpg', 'image/jpeg'], ['b.jpg', 'image/jpeg'], ['c.mp4', 'video/mp4'], ['d d.png', 'image/png']]) {
      await s3.send(new PutObjectCommand({ Bucket: context.bucketName, Key: key(name!), Body: randomBytes(100), ContentType: type }));
    }
    const catalogued = await eventually(async () => {
      const rows = await Promise.all(['a.jpg', 'b.jpg', 'c.mp4', 'd d.png'].map(row));
      return rows.every((r) => r?.status === 'available') ? true : undefined;
    }, 10_000);
    expect(catalogued).toBe(true);
  }, 20_000);

  afterAll(() => {
    s3.destroy();
    quietS3.destroy();
    dynamodb.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports no drift while the catalog follows the bucket', async () => {
    const result = await reconcile('--json');

    expect(result.code).toBe(EXIT.clean);
    expect(result.json()).toMatchObject({ objects: 4, rows: 4, drift: [], counts: { 'missing-row': 0, 'orphan-row': 0, 'wrong-fields': 0 } });
  });

  describe('with drift injected', () => {
    beforeAll(async () => {
      // A row for an object that never existed.
      const ghost = { key: key('ghost.jpg'), folder, name: 'ghost.jpg', id: fileIdOf(key('ghost.jpg')), size: 7, contentType: 'image/jpeg', fileType: 'image', uploadedAt: '2024-01-01T00:00:00.000Z' };
      await documents.send(
        new PutCommand({
          TableName: context.tableName,
          Item: { ...fileItemKey(folder, 'ghost.jpg'), ...typeIndexKeys('image', ghost.uploadedAt, ghost.id), ...ghost, uploadedBy: 'nobody', tags: [], sequencer: '0'.repeat(31) + '1', status: 'available' },
        }),
      );
      // An object deleted, and one added, without S3 events.
      await quietS3.send(new DeleteObjectCommand({ Bucket: context.bucketName, Key: key('b.jpg') }));
      await quietS3.send(new PutObjectCommand({ Bucket: context.bucketName, Key: key('e.jpg'), Body: randomBytes(321), ContentType: 'image/jpeg', Metadata: { 'upload-id': 'x'.repeat(22) } }));
      // A row whose size is not the object's.
      await documents.send(new UpdateCommand({ TableName: context.tableName, Key: fileItemKey(folder, 'c.mp4'), UpdateExpression: 'SET size = :s', ExpressionAttributeValues: { ':s': 999 } }));
    });

    it('lists exactly the injected drift, in the table and as JSON, and exits non-zero', async () => {
      const json = await reconcile('--json');
      const text = await reconcile();

      expect(json.code).toBe(EXIT.drift);
      expect(json.json().drift).toEqual([
        { kind: 'orphan-row', key: key('b.jpg') },
        { kind: 'wrong-fields', key: key('c.mp4'), fields: [{ field: 'size', catalog: 999, bucket: 100 }] },
        { kind: 'missing-row', key: key('e.jpg') },
        { kind: 'orphan-row', key: key('ghost.jpg') },
      ]);
      expect(json.json().counts).toEqual({ 'missing-row': 1, 'orphan-row': 2, 'wrong-fields': 1 });
      expect(text.code).toBe(EXIT.drift);
      expect(text.output).toMatch(new RegExp(`missing-row +${key('e.jpg')} +object 321 B image/jpeg, no row`));
      expect(text.output).toMatch(new RegExp(`wrong-fields +${key('c.mp4')} +size: catalog 999, bucket 100`));
      expect(text.output).toContain('4 drift(s): 1 missing row(s), 2 orphan row(s), 1 wrong row(s)');
    });

    it('repairs it with --fix, as the sync function would have, and is clean and idempotent after', async () => {
      const fixed = await reconcile('--fix', '--json');
      const after = await reconcile('--json');
      const again = await reconcile('--fix', '--json');

      expect(fixed.code).toBe(EXIT.clean);
      expect(fixed.json().fixed).toEqual({ applied: 4, changedMeanwhile: [] });
      expect(after.code).toBe(EXIT.clean);
      expect(after.json().drift).toEqual([]);
      expect(again.json()).not.toHaveProperty('fixed');
      expect(await row('e.jpg')).toMatchObject({ status: 'available', size: 321, contentType: 'image/jpeg', fileType: 'image', uploadedBy: 'unknown', gsi1pk: 'TYPE#image' });
      expect(await row('c.mp4')).toMatchObject({ status: 'available', size: 100, gsi1pk: 'TYPE#video' });
      expect(await row('b.jpg')).toMatchObject({ status: 'deleted' });
      expect(await row('b.jpg')).not.toHaveProperty('gsi1pk');
      expect(await row('ghost.jpg')).toMatchObject({ status: 'deleted', sequencer: '0'.repeat(31) + '1' });
    });

    it('lets a later S3 event win over a repaired row', async () => {
      await s3.send(new DeleteObjectCommand({ Bucket: context.bucketName, Key: key('e.jpg') }));

      expect(await eventually(async () => ((await row('e.jpg'))?.status === 'deleted' ? true : undefined), 10_000)).toBe(true);
    });
  });

  it('runs as `npm run reconcile` with a readable report and the exit code', async () => {
    // Asynchronously: with one test file jest runs in-band, in the process serving S3.
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile('npm', ['run', '--silent', 'reconcile', '--', '--stack', stackFile, '--prefix', prefix], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } }, (error, stdout) =>
        resolve({ code: error === null ? 0 : Number(error.code), stdout }),
      );
    });

    expect(result.stdout).toContain('no drift: the catalog equals the bucket');
    expect(result.code).toBe(EXIT.clean);
  }, 30_000);

  it('refuses a missing stack file and unknown options with exit code 2', async () => {
    const out: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t), env: {} };

    expect(await runReconcile(['--stack', path.join(dir, 'none.json')], io)).toBe(EXIT.usage);
    expect(await runReconcile(['--bogus'], io)).toBe(EXIT.usage);
    expect(await runReconcile(['--bucket', 'b'], io)).toBe(EXIT.usage);
    expect(out.join('\n')).toContain('no local stack found');
  });
});
