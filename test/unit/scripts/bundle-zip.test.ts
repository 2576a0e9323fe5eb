import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractZip, readZip } from '../../../local/zip';
import { writeZip } from '../../../scripts/build';

describe('bundle zips', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'media-store-zip-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const SCRIPT = { name: 'bin/tool', data: Buffer.from('#!/bin/sh\necho tool-ran\n'), mode: 0o755 };
  const HANDLER = { name: 'index.js', data: Buffer.from('exports.handler = async () => 1;\n') };

  describe('writeZip', () => {
    it('writes the same bytes for the same entries in any order', async () => {
      // Act
      const [a, b] = await Promise.all([writeZip([SCRIPT, HANDLER]), writeZip([HANDLER, SCRIPT])]);
      // Assess
      expect(a.equals(b)).toBe(true);
    });

    it('records each entry with its mode, 0644 unless given, and the DOS epoch as its time', async () => {
      // Prepare
      const file = path.join(dir, 'modes.zip');
      writeFileSync(file, await writeZip([SCRIPT, HANDLER]));
      // Act
      const listing = execFileSync('python3', ['-c', 'import sys, zipfile\nfor i in zipfile.ZipFile(sys.argv[1]).infolist(): print(i.filename, oct(i.external_attr >> 16), i.date_time)', file], { encoding: 'utf8' });
      // Assess
      expect(listing.trim().split('\n')).toEqual(["bin/tool 0o100755 (1980, 1, 1, 0, 0, 0)", "index.js 0o100644 (1980, 1, 1, 0, 0, 0)"]);
    });
  });

  describe('extractZip (the local stack)', () => {
    it('restores the modes, so a bundled executable runs', async () => {
      // Prepare
      const file = path.join(dir, 'tool.zip');
      writeFileSync(file, await writeZip([SCRIPT, HANDLER]));
      const target = path.join(dir, 'unpacked');
      // Act
      extractZip(file, target);
      // Assess
      expect(readZip(file).map((e) => [e.name, e.mode])).toEqual([['bin/tool', 0o755], ['index.js', 0o644]]);
      expect(statSync(path.join(target, 'bin/tool')).mode & 0o777).toBe(0o755);
      expect(execFileSync(path.join(target, 'bin/tool'), { encoding: 'utf8' })).toBe('tool-ran\n');
    });
  });
});
