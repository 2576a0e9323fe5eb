import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../src/zip/crc32';
import { uniqueNames, zipStream } from '../src/zip/zip-writer';

function source(name: string, bytes: Uint8Array, chunk = 1000) {
  return {
    name,
    modified: new Date(2024, 5, 1, 12, 30, 10),
    open: async () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.subarray(i, i + chunk));
          controller.close();
        },
      }),
  };
}

describe('zip writer', () => {
  it('computes the CRC-32 ZIP records', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const whole = new TextEncoder().encode('hello world');
    expect(crc32(whole.subarray(5), crc32(whole.subarray(0, 5)))).toBe(crc32(whole));
  });

  it('streams an archive that unzip lists, tests and extracts byte for byte', async () => {
    // Prepare
    const a = new Uint8Array(10_000).map((_, i) => (i * 7) % 256);
    const b = new TextEncoder().encode('second file, ünïcode name');
    // Act
    const zip = new Uint8Array(await new Response(zipStream([source('a.bin', a), source('ünï.txt', b)])).arrayBuffer());
    // Assess
    const dir = mkdtempSync(path.join(tmpdir(), 'zip-test-'));
    try {
      const file = path.join(dir, 'out.zip');
      writeFileSync(file, zip);
      execFileSync('unzip', ['-tq', file]);
      expect(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['a.bin', 'ünï.txt']);
      execFileSync('unzip', ['-q', file, '-d', dir]);
      expect(new Uint8Array(readFileSync(path.join(dir, 'a.bin')))).toEqual(a);
      expect(new Uint8Array(readFileSync(path.join(dir, 'ünï.txt')))).toEqual(b);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores entries uncompressed: the archive is the files plus small headers', async () => {
    const data = new Uint8Array(50_000);
    const zip = new Uint8Array(await new Response(zipStream([source('x', data)])).arrayBuffer());
    expect(zip.length).toBeGreaterThan(50_000);
    expect(zip.length).toBeLessThan(50_300);
  });

  it('errors the stream when a source fails, instead of writing a truncated archive', async () => {
    const failing = { name: 'bad', modified: new Date(), open: async () => { throw new Error('HTTP 403'); } };
    await expect(new Response(zipStream([failing])).arrayBuffer()).rejects.toThrow('HTTP 403');
  });

  it('gives repeated names a number so no entry hides another', () => {
    expect(uniqueNames(['a.jpg', 'a.jpg', 'A.jpg', 'b'])).toEqual(['a.jpg', 'a (2).jpg', 'A (3).jpg', 'b']);
  });
});
