/**
 * test/unit mirrors the source tree (issue 18): a unit test of `handlers/core/paths.ts` is
 * `test/unit/handlers/core/paths.test.ts`, so the tests of a file are found beside its path.
 * Only the shared support files sit at the top of test/unit.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');
const unit = path.join(root, 'test', 'unit');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

describe('test/unit', () => {
  const files = filesUnder(unit).map((file) => path.relative(unit, file));

  it('holds every unit test in the folder of the source it tests', () => {
    const misplaced = files.filter((file) => file.endsWith('.test.ts')).filter((file) => {
      const folder = path.dirname(file);
      return folder === '.' || !fs.statSync(path.join(root, folder), { throwIfNoEntry: false })?.isDirectory();
    });
    expect(misplaced).toEqual([]);
  });

  it('keeps only support files at its top', () => {
    expect(files.filter((file) => !file.includes(path.sep) && file.endsWith('.test.ts'))).toEqual([]);
    expect(files.filter((file) => !file.includes(path.sep)).sort()).toEqual(['memory-auth.ts', 'support.ts']);
  });
});
