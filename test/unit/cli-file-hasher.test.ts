import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashRanges, partRanges } from '../../cli/file-hasher';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('base64');

describe('hashRanges', () => {
  let dir: string;
  let file: string;
  const data = randomBytes(3 * 1024 * 1024 + 4321);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-hasher-'));
    file = path.join(dir, 'f.bin');
    writeFileSync(file, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the SHA-256 of each range, in order, across read-size boundaries and for an empty range', async () => {
    const ranges = [[0, data.length], [5, 1000], [1024 * 1024 - 7, 300 * 1024], [data.length - 1, 1], [10, 0]] as const;

    const digests = await hashRanges(file, ranges, 64 * 1024);

    expect(digests).toEqual(ranges.map(([start, length]) => sha(data.subarray(start, start + length))));
  });

  it('rejects when the file is shorter than a range (it changed while uploading)', async () => {
    await expect(hashRanges(file, [[data.length - 10, 20]])).rejects.toThrow(/shorter than expected/);
  });

  it('rejects when the file is missing', async () => {
    await expect(hashRanges(path.join(dir, 'gone.bin'), [[0, 1]])).rejects.toThrow(/ENOENT/);
  });
});

describe('partRanges', () => {
  it('cuts a file into parts with a shorter last one, and an empty file into one empty part', () => {
    expect(partRanges(25, 10)).toEqual([[0, 10], [10, 10], [20, 5]]);
    expect(partRanges(20, 10)).toEqual([[0, 10], [10, 10]]);
    expect(partRanges(0, 10)).toEqual([[0, 0]]);
  });
});
