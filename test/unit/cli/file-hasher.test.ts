import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashRanges, hashRangesEach, partRanges } from '../../../cli/file-hasher';

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

describe('hashRangesEach', () => {
  let dir: string;
  let file: string;
  const data = randomBytes(1024 * 1024);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cli-hasher-each-'));
    file = path.join(dir, 'f.bin');
    writeFileSync(file, data);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hands out each digest on its own and hashes no further ahead than allowed until allowed more', async () => {
    // Prepare: 8 ranges of 128 KiB, 3 allowed at first.
    const ranges = partRanges(data.length, 128 * 1024);
    const hashes = hashRangesEach(file, ranges, { allowed: 3 });
    let fourthDone = false;
    void hashes.digest(3).then(() => (fourthDone = true));

    // Act
    const first = await Promise.all([0, 1, 2].map((i) => hashes.digest(i)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const waitedForAllowance = !fourthDone;
    hashes.allow(ranges.length);
    const all = await hashes.all;

    // Assess
    expect(first).toEqual(ranges.slice(0, 3).map(([start, length]) => sha(data.subarray(start, start + length))));
    expect(waitedForAllowance).toBe(true);
    expect(all).toEqual(ranges.map(([start, length]) => sha(data.subarray(start, start + length))));
  });

  it('rejects pending digests when stopped', async () => {
    const hashes = hashRangesEach(file, partRanges(data.length, 128 * 1024), { allowed: 1 });
    await hashes.digest(0);

    hashes.stop();

    await expect(hashes.digest(5)).rejects.toThrow(/stopped/);
  });
});

describe('partRanges', () => {
  it('cuts a file into parts with a shorter last one, and an empty file into one empty part', () => {
    expect(partRanges(25, 10)).toEqual([[0, 10], [10, 10], [20, 5]]);
    expect(partRanges(20, 10)).toEqual([[0, 10], [10, 10]]);
    expect(partRanges(0, 10)).toEqual([[0, 0]]);
  });
});
