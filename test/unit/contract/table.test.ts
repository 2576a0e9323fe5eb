/**
 * The table's keys have one declaration (contract/table.ts): no other source spells a key
 * prefix, and the IAM `dynamodb:LeadingKeys` patterns made from the partitions' names match
 * the keys of their partition and no other.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as table from '../../../contract/table';
import { PARTITIONS, SINGLE_PARTITIONS, leadingKeyPatterns, type PartitionName } from '../../../contract/table';

const root = path.resolve(__dirname, '..', '..', '..');

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourcesUnder(rel);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** String literals (and the text before a template's first `${`) of a file; comments are not literals. */
function literalsOf(file: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.resolve(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node)) {
      found.push({ text: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

/** `FOLDER#`, `SHARELOG#`, `USER#~id#`…: upper-case letters then `#`, as every key prefix is spelled. */
const KEY_PREFIX = /^[A-Z][A-Z_~]*#/;

/** StringLike as IAM evaluates it: `*` any run of characters, `?` one. */
const stringLike = (pattern: string, value: string): boolean =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

/** A key of every item type, made by the builders. */
const SAMPLE_KEYS: readonly { readonly item: string; readonly pk: string; readonly partition: PartitionName }[] = [
  { item: 'file', pk: table.fileItemKey('a/b', 'c.jpg').pk, partition: 'folder' },
  { item: 'folder marker', pk: table.folderMarkerKey('a', 'b').pk, partition: 'folder' },
  { item: 'name claim', pk: table.nameClaimKey('a', 'c.jpg').pk, partition: 'folder' },
  { item: 'user', pk: table.userItemKey('ann').pk, partition: 'user' },
  { item: 'user directory', pk: table.userDirectoryKey('ann').pk, partition: 'user' },
  { item: 'user counts', pk: table.userCountKey().pk, partition: 'user' },
  { item: 'user id', pk: table.userIdItemKey('u1').pk, partition: 'user' },
  { item: 'source limiter', pk: table.sourceLimiterKey('h').pk, partition: 'user' },
  { item: 'login limiter', pk: table.userSourceLimiterKey('ann', 'h').pk, partition: 'user' },
  { item: 'session family', pk: table.sessionFamilyKey('f').pk, partition: 'session' },
  { item: 'refresh token', pk: table.refreshTokenKey('h').pk, partition: 'session' },
  { item: 'upload', pk: table.uploadItemKey('u').pk, partition: 'upload' },
  { item: 'drop reservation', pk: table.dropReservationKey('u').pk, partition: 'upload' },
  { item: 'job', pk: table.jobItemKey('j').pk, partition: 'job' },
  { item: 'trash entry', pk: table.trashEntryKey('e').pk, partition: 'trash' },
  { item: 'share', pk: table.shareTokenKey('h').pk, partition: 'share' },
  { item: 'share limiter', pk: table.shareUnlockLimiterKey('h', 's').pk, partition: 'share' },
  { item: 'share-wide limiter', pk: table.shareUnlockLimiterKey('h').pk, partition: 'share' },
  { item: 'share owner row', pk: table.shareOwnerKey('s1').pk, partition: 'shareOwners' },
  { item: 'share log', pk: table.shareLogKey('s1', '2026-01-01T00:00:00.000Z', 'r').pk, partition: 'shareLog' },
  { item: 'drop guest', pk: table.shareGuestUploadKey('s1', 'g', 'u').pk, partition: 'shareGuests' },
  { item: 'timeline counter', pk: table.timelineCounterKey(3, '2024-05', '/a').pk, partition: 'timeline' },
  { item: 'scrub cursor', pk: table.scrubCursorKey().pk, partition: 'scrub' },
];

describe('the table keys, declared once (contract/table.ts)', () => {
  it('spells no key prefix in handlers, the local stack, the module or the scripts', () => {
    const spelled = ['handlers', 'local', 'modules', 'scripts'].flatMap((dir) =>
      sourcesUnder(dir).flatMap((file) => literalsOf(file).filter((l) => KEY_PREFIX.test(l.text)).map((l) => `${file}:${l.line} '${l.text}'`)),
    );
    expect(spelled).toEqual([]);
  });

  it('finds a prefix spelled in a string or a template, but not in a comment', () => {
    const probe = path.join(os.tmpdir(), `tables-key-probe-${process.pid}.ts`);
    fs.writeFileSync(probe, "// `SHARE#<hash>`\nconst a = 'SHARES#';\nconst b = `SHARELOG#${a}`;\n");
    try {
      expect(literalsOf(probe).filter((l) => KEY_PREFIX.test(l.text))).toEqual([
        { text: 'SHARES#', line: 2 },
        { text: 'SHARELOG#', line: 3 },
      ]);
    } finally {
      fs.rmSync(probe);
    }
  });

  it('gives every item type a key in the partition it is declared in, and in no other', () => {
    const names = Object.keys(PARTITIONS) as PartitionName[];
    const matched = SAMPLE_KEYS.map(({ item, pk }) => ({ item, partitions: names.filter((name) => stringLike(leadingKeyPatterns(name)[0]!, pk)) }));
    expect(matched).toEqual(SAMPLE_KEYS.map(({ item, partition }) => ({ item, partitions: [partition] })));
  });

  it('makes LeadingKeys patterns in the order named: a family of partitions by prefix, a single partition exactly', () => {
    expect(leadingKeyPatterns('folder', 'upload', 'job', 'share', 'shareOwners', 'shareLog')).toEqual(['FOLDER#*', 'UPLOAD#*', 'JOB#*', 'SHARE#*', 'SHARES#', 'SHARELOG#*']);
    expect(SINGLE_PARTITIONS).toEqual(['shareOwners', 'trash', 'scrub']);
    // `SHARE#*` must not reach the owners' rows, the logs or the guests' uploads.
    expect(['SHARES#', 'SHARELOG#s1', 'SHAREUP#s1'].filter((pk) => stringLike('SHARE#*', pk))).toEqual([]);
  });

  it('declares each prefix once, none a prefix of another partition\'s', () => {
    const prefixes = Object.values(PARTITIONS);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const a of prefixes) for (const b of prefixes) if (a !== b) expect({ a, b, overlaps: b.startsWith(a) }).toEqual({ a, b, overlaps: false });
  });
});
