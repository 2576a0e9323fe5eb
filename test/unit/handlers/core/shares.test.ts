import { createHash } from 'node:crypto';
import { ValidationError } from '../../../../handlers/core/errors';
import { createLogger, redactString } from '../../../../handlers/core/logger';
import { MAX_SEGMENT_BYTES, normalizeFileName, objectKey } from '../../../../handlers/core/paths';
import { MULTIPART_SESSION_SECONDS } from '../../../../handlers/uploads/create-upload';
import {
  DEFAULT_SHARE_SECONDS,
  dropNameCandidates,
  dropReleaseAt,
  fitsQuota,
  hashShareToken,
  isShareLive,
  isShareToken,
  newShareToken,
  parseShareRequest,
  reachesSharedFolder,
  shareExpiry,
  signShareSession,
  suffixedName,
  truncateIp,
  urlTtlWithin,
  verifyShareSession,
} from '../../../../handlers/core/shares';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const POLICY = { maxDays: 30, allowNever: false };

describe('share tokens', () => {
  it('carries at least 128 random bits as base64url and never repeats', () => {
    // Act
    const tokens = Array.from({ length: 1000 }, () => newShareToken());
    // Assess
    for (const token of tokens) {
      expect(isShareToken(token)).toBe(true);
      expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('is stored as its SHA-256, which does not contain the token', () => {
    const token = newShareToken();
    const hash = hashShareToken(token);
    expect(hash).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(hash).not.toContain(token);
    expect(hashShareToken(token)).toBe(hash);
  });

  it('refuses anything that is not a token shape (path tricks, short guesses)', () => {
    for (const bad of ['', 'abc', '../files', `${newShareToken()}/..`, 'a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}=`]) expect(isShareToken(bad)).toBe(false);
  });
});

describe('shareExpiry', () => {
  it('defaults to 7 days', () => {
    expect(shareExpiry(undefined, POLICY, NOW)).toBe(new Date(NOW.getTime() + DEFAULT_SHARE_SECONDS * 1000).toISOString());
    expect(DEFAULT_SHARE_SECONDS).toBe(7 * 24 * 3600);
  });

  it('accepts up to share_max_days and refuses one second more', () => {
    expect(shareExpiry(30 * 86400, POLICY, NOW)).toBe('2026-07-01T12:00:00.000Z');
    expect(() => shareExpiry(30 * 86400 + 1, POLICY, NOW)).toThrow(ValidationError);
  });

  it('refuses "never" unless the module allows it', () => {
    expect(() => shareExpiry('never', POLICY, NOW)).toThrow(/not allowed/);
    expect(shareExpiry('never', { ...POLICY, allowNever: true }, NOW)).toBeNull();
  });

  it.each([[0], [-5], [1.5], ['3600'], [null]])('refuses %p', (value) => {
    expect(() => shareExpiry(value, POLICY, NOW)).toThrow(ValidationError);
  });
});

describe('isShareLive and urlTtlWithin', () => {
  it('ends a share at its expiry and at once when revoked', () => {
    expect(isShareLive({ expiresAt: '2026-06-01T12:00:01.000Z' }, NOW)).toBe(true);
    expect(isShareLive({ expiresAt: '2026-06-01T12:00:00.000Z' }, NOW)).toBe(false);
    expect(isShareLive({ expiresAt: null }, NOW)).toBe(true);
    expect(isShareLive({ expiresAt: null, revokedAt: NOW.toISOString() }, NOW)).toBe(false);
  });

  it('cuts presigned URL lifetimes to the share remaining life', () => {
    expect(urlTtlWithin('2026-06-01T12:00:30.000Z', 3600, NOW)).toBe(30);
    expect(urlTtlWithin('2026-06-02T12:00:00.000Z', 3600, NOW)).toBe(3600);
    expect(urlTtlWithin(null, 3600, NOW)).toBe(3600);
  });
});

describe('reachesSharedFolder', () => {
  it('reaches the folder while its marker has the generation the share recorded', () => {
    expect(reachesSharedFolder('g1', { generation: 'g1' })).toBe(true);
  });

  it.each([
    ['deleted', undefined],
    ['deleted and created again', { generation: 'g2' }],
    ['replaced by a marker without a generation', {}],
  ])('does not reach a folder %s', (_name, marker) => {
    expect(reachesSharedFolder('g1', marker)).toBe(false);
  });

  it('reaches any existing folder for a share stored before generations, and no deleted one', () => {
    expect(reachesSharedFolder(undefined, { generation: 'g2' })).toBe(true);
    expect(reachesSharedFolder(undefined, {})).toBe(true);
    expect(reachesSharedFolder(undefined, undefined)).toBe(false);
  });
});

describe('parseShareRequest', () => {
  it('reads a password-protected album share with downloads', () => {
    const request = parseShareRequest({ folder: '/trips', password: 'pw', allowDownload: true, label: ' Grandma ' }, POLICY, NOW);
    expect(request).toEqual({ target: { kind: 'folder', folder: '/trips' }, expiresAt: '2026-06-08T12:00:00.000Z', password: 'pw', allowDownload: true, label: 'Grandma', mode: 'view' });
  });

  it('requires maxBytes and maxFiles for a drop link, and a folder', () => {
    expect(parseShareRequest({ folder: '/in', mode: 'drop', maxBytes: 10, maxFiles: 2 }, POLICY, NOW)).toMatchObject({ mode: 'drop', maxBytes: 10, maxFiles: 2, allowDownload: false });
    expect(() => parseShareRequest({ folder: '/in', mode: 'drop', maxBytes: 10 }, POLICY, NOW)).toThrow(/maxFiles/);
    expect(() => parseShareRequest({ folder: '/in', mode: 'drop', maxFiles: 1 }, POLICY, NOW)).toThrow(/maxBytes/);
    expect(() => parseShareRequest({ fileId: 'x', mode: 'drop', maxBytes: 1, maxFiles: 1 }, POLICY, NOW)).toThrow(/folder/);
    expect(() => parseShareRequest({ folder: '/in', maxBytes: 1 }, POLICY, NOW)).toThrow(/drop links only/);
  });

  it('throws when both or neither target is given, or a field is unknown', () => {
    expect(() => parseShareRequest({}, POLICY, NOW)).toThrow(/exactly one/);
    expect(() => parseShareRequest({ folder: '/a', fileId: 'x' }, POLICY, NOW)).toThrow(/exactly one/);
    expect(() => parseShareRequest({ folder: '/a', owner: 'eve' }, POLICY, NOW)).toThrow(/owner: is not a known field/);
    expect(() => parseShareRequest({ folder: '../etc' }, POLICY, NOW)).toThrow(ValidationError);
  });
});

describe('fitsQuota', () => {
  const quota = { maxBytes: 100, maxFiles: 2 };
  it('takes a file that fits both limits exactly', () => {
    expect(fitsQuota({ usedBytes: 0, usedFiles: 0 }, quota, 100)).toBe(true);
    expect(fitsQuota({ usedBytes: 60, usedFiles: 1 }, quota, 40)).toBe(true);
  });
  it('refuses one byte or one file too many', () => {
    expect(fitsQuota({ usedBytes: 60, usedFiles: 1 }, quota, 41)).toBe(false);
    expect(fitsQuota({ usedBytes: 0, usedFiles: 2 }, quota, 1)).toBe(false);
  });
});

describe('dropNameCandidates', () => {
  it('tries the name itself, then name (1) to name (20) before the extension, then random suffixes', () => {
    // Act
    const names = dropNameCandidates('/inbox', 'IMG 1.jpg', () => 'r4nd0m');
    // Assess
    expect(names.slice(0, 3)).toEqual(['IMG 1.jpg', 'IMG 1 (1).jpg', 'IMG 1 (2).jpg']);
    expect(names[20]).toBe('IMG 1 (20).jpg');
    expect(names.slice(21)).toEqual(['IMG 1 (r4nd0m).jpg']);
  });

  it.each([
    ['.hidden', '.hidden (1)'],
    ['README', 'README (1)'],
    ['archive.tar.gz', 'archive.tar (1).gz'],
    ['trailing.', 'trailing (1).'],
  ])('puts the number of %j before its last extension: %j', (name, first) => {
    expect(suffixedName(name, '1')).toBe(first);
    expect(dropNameCandidates('/', name)[1]).toBe(first);
  });

  it('shortens the stem of a long name, by whole characters, so every alternative is a valid name whose key fits', () => {
    // Prepare: 255 bytes, two-byte characters and a four-byte emoji.
    const name = `${'é'.repeat(120)}😀${'x'.repeat(6)}.jpeg`;
    expect(Buffer.byteLength(name)).toBe(MAX_SEGMENT_BYTES);
    // Act
    const names = dropNameCandidates('/inbox', name);
    // Assess
    expect(names).toHaveLength(24);
    for (const candidate of names.slice(1)) {
      expect(normalizeFileName(candidate)).toBe(candidate);
      expect(Buffer.byteLength(candidate)).toBeLessThanOrEqual(MAX_SEGMENT_BYTES);
      expect(() => objectKey({ folder: '/inbox', name: candidate })).not.toThrow();
      expect(candidate.endsWith(').jpeg')).toBe(true);
      expect(candidate).not.toMatch(/\p{Cs}/u);
    }
  });

  it('never offers the same name twice', () => {
    expect(new Set(dropNameCandidates('/a', 'p.jpg', () => '1')).size).toBe(21);
  });
});

describe('dropReleaseAt', () => {
  it('holds a drop upload\'s quota for two URL lifetimes: minutes, never the multipart session\'s days', () => {
    // Act
    const releaseAt = dropReleaseAt(NOW, 900);
    // Assess
    expect(releaseAt - NOW.getTime() / 1000).toBe(1800);
    expect(dropReleaseAt(NOW, 3600) - NOW.getTime() / 1000).toBeLessThan(MULTIPART_SESSION_SECONDS / 24);
  });
});

describe('truncateIp', () => {
  it.each([
    ['203.0.113.77', '203.0.113.0/24'],
    ['::ffff:198.51.100.9', '198.51.100.0/24'],
    ['2001:db8:abcd:12:1:2:3:4', '2001:db8:abcd::/48'],
    ['2001:db8::1', '2001:db8:0::/48'],
    ['::1', '0:0:0::/48'],
    ['not-an-ip', 'unknown'],
    [undefined, 'unknown'],
  ])('keeps %p as %p, never the full address', (ip, expected) => {
    expect(truncateIp(ip)).toBe(expected);
  });
});

describe('share sessions', () => {
  const key = Buffer.alloc(32, 7).toString('base64url');
  it('verifies for its share until it expires', () => {
    const session = signShareSession(key, 'AAAAAAAAAAAAAAAA', 1000);
    expect(verifyShareSession(session, key, 'AAAAAAAAAAAAAAAA', 999)).toBe(true);
    expect(verifyShareSession(session, key, 'AAAAAAAAAAAAAAAA', 1000)).toBe(false);
  });
  it('is refused by another share, another key, or with a changed expiry', () => {
    const session = signShareSession(key, 'AAAAAAAAAAAAAAAA', 1000);
    expect(verifyShareSession(session, key, 'BBBBBBBBBBBBBBBB', 1)).toBe(false);
    expect(verifyShareSession(session, Buffer.alloc(32, 8).toString('base64url'), 'AAAAAAAAAAAAAAAA', 1)).toBe(false);
    expect(verifyShareSession(session.replace('.1000.', '.9000.'), key, 'AAAAAAAAAAAAAAAA', 1)).toBe(false);
    expect(verifyShareSession(undefined, key, 'AAAAAAAAAAAAAAAA', 1)).toBe(false);
  });
});

describe('logger redaction of share links', () => {
  it('removes tokens from paths and share headers', () => {
    // Prepare
    const token = newShareToken();
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    // Act
    logger.info(`GET /public/shares/${token}/files/x/download`, { path: `/s/${token}`, headers: { 'x-share-session': 'abc', 'x-share-guest': 'def' } });
    // Assess
    expect(lines.join('\n')).not.toContain(token);
    expect(lines.join('\n')).not.toMatch(/"abc"|"def"/);
    expect(redactString(`/s/${token}?x=1`)).toBe('/s/[REDACTED]?x=1');
  });
});
