import { moveDestination, parseCommandLine, splitFilePath } from '../../../cli/args';
import { UsageError } from '../../../cli/errors';

describe('parseCommandLine', () => {
  it('parses upload with its defaults: folder /, parts in flight left adaptive, progress and checksums on', () => {
    const parsed = parseCommandLine(['upload', 'a.jpg', 'b.mov']);

    expect(parsed.command).toEqual({ name: 'upload', files: ['a.jpg', 'b.mov'], folder: '/', tags: [], progress: true, checksums: true, fileSha256: false, uploadDuplicates: false, overwrite: false });
    expect(parsed.global).toEqual({ debug: false });
  });

  it('takes global options before or after the command', () => {
    const before = parseCommandLine(['--url', 'http://x', '--debug', 'ls', '/a']);
    const after = parseCommandLine(['ls', '/a', '--retries', '0', '--url', 'http://y']);

    expect(before.global).toEqual({ url: 'http://x', debug: true });
    expect(after.global).toEqual({ url: 'http://y', retries: 0, debug: false });
    expect(after.command).toEqual({ name: 'ls', folder: '/a', json: false });
  });

  it('parses upload options: folder, parallel, tags, content type, description, no progress, no checksum, overwrite', () => {
    const parsed = parseCommandLine([
      'upload', 'x.mp4', '--folder', '/trips/spain', '--parallel', '8', '--tags', 'beach, sun,,', '--content-type', 'video/mp4',
      '--description', 'hi', '--no-progress', '--no-checksum', '--overwrite',
    ]);

    expect(parsed.command).toEqual({
      name: 'upload', files: ['x.mp4'], folder: '/trips/spain', parallel: 8, tags: ['beach', 'sun'], contentType: 'video/mp4',
      description: 'hi', progress: false, checksums: false, fileSha256: false, uploadDuplicates: false, overwrite: true,
    });
  });

  it('parses --upload-duplicates (send files already in the library too)', () => {
    expect(parseCommandLine(['upload', 'x.mp4', '--upload-duplicates']).command).toMatchObject({ name: 'upload', uploadDuplicates: true });
  });

  it('parses --file-sha256 (declare a large file\'s SHA-256 too)', () => {
    expect(parseCommandLine(['upload', 'x.mp4', '--file-sha256']).command).toMatchObject({ name: 'upload', checksums: true, fileSha256: true });
  });

  it.each([
    [['upload'], /upload takes one or more files/],
    [['upload', 'a', '--parallel', '0'], /--parallel must be a whole number from 1 to 32/],
    [['upload', 'a', '--parallel', '2.5'], /--parallel must be a whole number/],
    [['upload', 'a', '--folder', 'relative'], /--folder must start with "\/"/],
    [['ls', '--type', 'audio'], /--type must be one of image, video, other/],
    [['ls', '/a', '--type', 'image'], /a folder or --type, not both/],
    [['ls', '/a', '/b'], /at most one folder/],
    [['rm'], /rm takes one file id/],
    [['mv', 'x'], /mv takes a file id or \/folder\/name and a destination/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['ls', '--bogus'], /unknown option/],
    [['rm', 'x', '--parallel', '2'], /rm does not take --parallel/],
    [['ls', '--retries', '99'], /--retries must be a whole number from 0 to 20/],
    [['login', 'extra'], /login takes no arguments/],
    [['trash'], /trash takes ls, restore or empty/],
    [['trash', 'shred'], /trash takes ls, restore or empty, got "shred"/],
    [['trash', 'restore'], /trash restore takes entry ids \(from trash ls\) or --all/],
    [['trash', 'restore', '--all', 'lq0abcdefAAAAAAAAAAAA'], /trash restore takes entry ids/],
    [['trash', 'restore', '../x'], /"..\/x" is not a trash entry id/],
    [['trash', 'empty', '--all'], /trash empty empties everything without --all/],
    [['trash', 'ls', 'x'], /trash ls takes no arguments/],
  ])('throws a UsageError for %j', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });

  it('answers help for no command, help, -h and --help', () => {
    for (const argv of [[], ['help'], ['-h'], ['upload', '--help']]) expect(parseCommandLine(argv).command).toEqual({ name: 'help' });
  });

  it('parses trash ls, restore and empty', () => {
    const id = '0lq9x2k3bAbCdEfGhIjKl';
    expect(parseCommandLine(['trash', 'ls', '--json']).command).toEqual({ name: 'trash', action: 'ls', json: true });
    expect(parseCommandLine(['trash', 'restore', id]).command).toEqual({ name: 'trash', action: 'restore', ids: [id], all: false });
    expect(parseCommandLine(['trash', 'restore', '--all']).command).toEqual({ name: 'trash', action: 'restore', ids: [], all: true });
    expect(parseCommandLine(['trash', 'empty']).command).toEqual({ name: 'trash', action: 'empty', ids: [], all: true });
    expect(parseCommandLine(['trash', 'empty', id]).command).toEqual({ name: 'trash', action: 'empty', ids: [id], all: false });
  });

  it('parses login, download, rm and mv', () => {
    expect(parseCommandLine(['login', '--username', 'ann', '--password-stdin']).command).toEqual({ name: 'login', username: 'ann', passwordStdin: true });
    expect(parseCommandLine(['download', 'abc', 'out/', '--force']).command).toEqual({ name: 'download', target: 'abc', dest: 'out/', force: true });
    expect(parseCommandLine(['rm', '/a/b.jpg']).command).toEqual({ name: 'rm', target: '/a/b.jpg' });
    expect(parseCommandLine(['mv', 'id1', '/x/', '--overwrite']).command).toEqual({ name: 'mv', target: 'id1', dest: '/x/', overwrite: true });
  });
});

describe('moveDestination', () => {
  const current = { folder: '/trips', name: 'a.jpg' };

  it('moves into a folder named with a trailing slash, keeping the name', () => {
    expect(moveDestination('/archive/2024/', current)).toEqual({ folder: '/archive/2024', name: 'a.jpg' });
    expect(moveDestination('/', current)).toEqual({ folder: '/', name: 'a.jpg' });
  });

  it('renames in place when the destination has no slash', () => {
    expect(moveDestination('b.jpg', current)).toEqual({ folder: '/trips', name: 'b.jpg' });
  });

  it('moves and renames for a full path', () => {
    expect(moveDestination('/x/b.jpg', current)).toEqual({ folder: '/x', name: 'b.jpg' });
    expect(moveDestination('/b.jpg', current)).toEqual({ folder: '/', name: 'b.jpg' });
  });

  it('throws for a relative path with folders', () => {
    expect(() => moveDestination('x/b.jpg', current)).toThrow(UsageError);
  });
});

describe('splitFilePath', () => {
  it('splits /folder/name and takes anything else as an id', () => {
    expect(splitFilePath('/a b/c/IMG 1.jpg')).toEqual({ folder: '/a b/c', name: 'IMG 1.jpg' });
    expect(splitFilePath('/IMG.jpg')).toEqual({ folder: '/', name: 'IMG.jpg' });
    expect(splitFilePath('bWVkaWEvYS5qcGc')).toBeUndefined();
  });

  it('throws for a folder path', () => {
    expect(() => splitFilePath('/a/')).toThrow(/names a folder/);
  });
});
