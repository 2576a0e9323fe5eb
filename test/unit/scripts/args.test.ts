import { parseCommandLine, UsageError } from '../../../scripts/args';
import { parseArgs as parseReconcileArgs } from '../../../scripts/reconcile';
import { needsProcessing, parseArgs as parseReprocessArgs } from '../../../scripts/reprocess';
import { parseArgs as parseUsersArgs } from '../../../scripts/users';

describe("the scripts' command line", () => {
  const spec = { values: ['table', 'region'], flags: ['json'] };

  it('reads values, flags and, where allowed, positionals', () => {
    expect(parseCommandLine(['--table', 't', '--json'], spec)).toEqual({ values: { table: 't' }, flags: new Set(['json']), positionals: [] });
    expect(parseCommandLine(['add', 'ana', '--table=t'], { ...spec, positionals: true }).positionals).toEqual(['add', 'ana']);
  });

  it.each([
    [['--tabel', 't'], 'unknown option --tabel'],
    [['--table'], '--table needs a value'],
    [['--table', '--json'], '--table needs a value'],
    [['stray'], 'unexpected argument stray'],
  ])('refuses %j with a UsageError naming it', (argv, message) => {
    expect(() => parseCommandLine(argv, spec)).toThrow(UsageError);
    expect(() => parseCommandLine(argv, spec)).toThrow(message);
  });

  it('serves reconcile, reprocess and users with their own rules on top', () => {
    expect(parseReconcileArgs(['--fix', '--prefix', 'media/a/'])).toMatchObject({ fix: true, json: false, prefix: 'media/a/' });
    expect(() => parseReconcileArgs(['--bucket', 'b'])).toThrow('--bucket and --table go together');
    expect(parseReprocessArgs(['--all', '--folder', '/x'])).toMatchObject({ which: 'all', folder: '/x' });
    expect(() => parseReprocessArgs(['--all', '--missing'])).toThrow('--missing and --all exclude each other');
    const users = parseUsersArgs(['add', 'ana', '--role', 'viewer', '-h']);
    expect(users.positional).toEqual(['add', 'ana']);
    expect(users.options.get('--role')).toBe('viewer');
    expect(users.options.get('--help')).toBe(true);
  });
});

describe('npm run reprocess --missing', () => {
  it('picks files never processed, pending or failed, and videos whose copy failed; --all picks every file', () => {
    expect(needsProcessing({}, 'missing')).toBe(true);
    expect(needsProcessing({ processing: 'failed' }, 'missing')).toBe(true);
    expect(needsProcessing({ processing: 'ready', video: { container: 'mov', action: 'transcode', copy: { state: 'failed', reason: 'x' } } }, 'missing')).toBe(true);
    expect(needsProcessing({ processing: 'ready', video: { container: 'mov', action: 'transcode', copy: { state: 'ready' } } }, 'missing')).toBe(false);
    expect(needsProcessing({ processing: 'ready' }, 'missing')).toBe(false);
    expect(needsProcessing({ processing: 'ready' }, 'all')).toBe(true);
  });
});

