import { authorize } from '../../../../handlers/authorizer/authorize';
import { ValidationError } from '../../../../handlers/core/errors';
import {
  assertFolderAllowed,
  canManageUsers,
  canUpload,
  folderVisibility,
  hasPermission,
  isFolderAllowed,
  isWithin,
  parseFolderLimits,
  requirePermission,
  ROLES,
  type Caller,
} from '../../../../handlers/core/roles';
import { signToken, verifyToken } from '../../../../handlers/core/token';
import { storedFolderLimits } from '../../../../handlers/adapters/users-repository';
import { principal } from '../../../../handlers/http/principal';
import { apiEvent, memoryLogger } from '../../support';

const SECRET = 'access-control-secret-0123456789abcdef';
const NOW = 1_750_000_000;
const family: Caller = { username: 'ana', role: 'editor', folders: ['/family', '/trips/2024'] };

describe('roles', () => {
  describe('hasPermission', () => {
    it('gives admins everything, editors read and write, viewers read only', () => {
      // Act
      const table = Object.fromEntries(ROLES.map((role) => [role, (['read', 'write', 'manage-users'] as const).filter((p) => hasPermission(role, p))]));
      // Assess
      expect(table).toEqual({ admin: ['read', 'write', 'manage-users'], editor: ['read', 'write'], viewer: ['read'] });
      expect([canUpload('viewer'), canUpload('editor'), canManageUsers('editor'), canManageUsers('admin')]).toEqual([false, true, false, true]);
    });
  });

  describe('requirePermission', () => {
    it('throws a 403 naming the role when the role lacks the permission', () => {
      expect(() => requirePermission({ role: 'viewer' }, 'write', 'upload files')).toThrow(expect.objectContaining({ statusCode: 403, message: 'Role "viewer" may not upload files' }));
      expect(() => requirePermission({ role: 'editor' }, 'write', 'upload files')).not.toThrow();
    });
  });

  describe('isWithin', () => {
    it.each([
      ['/family', '/family', true],
      ['/family/2024', '/family', true],
      ['/family2', '/family', false],
      ['/family-old/x', '/family', false],
      ['/fam', '/family', false],
      ['/', '/family', false],
      ['/anything', '/', true],
    ])('%s within %s is %s', (folder, prefix, expected) => {
      expect(isWithin(folder, prefix)).toBe(expected);
    });
  });

  describe('isFolderAllowed', () => {
    it('allows the limits and what lies below them, nothing that merely starts with the same letters', () => {
      expect(['/family', '/family/x/y', '/trips/2024', '/trips/2024/rome'].map((f) => isFolderAllowed(family, f))).toEqual([true, true, true, true]);
      expect(['/', '/family2', '/trips', '/trips/2023', '/trips/20245'].map((f) => isFolderAllowed(family, f))).toEqual([false, false, false, false, false]);
    });

    it('compares unicode folders after NFC normalization', () => {
      // Prepare: the limit is stored composed (NFC), the request arrives decomposed (NFD).
      const caller: Caller = { username: 'jo', role: 'viewer', folders: parseFolderLimits(['/Cafe\u0301']) as string[] };
      // Act + Assess
      expect(caller.folders).toEqual(['/Caf\u00e9']);
      expect(isFolderAllowed(caller, '/Cafe\u0301/menu')).toBe(true);
      expect(isFolderAllowed(caller, '/Caf\u00e9')).toBe(true);
      expect(isFolderAllowed(caller, '/Cafe')).toBe(false);
    });

    it('never limits admins nor users without limits', () => {
      const admin: Caller = { username: 'root', role: 'admin', folders: ['/x'] };
      const unlimited: Caller = { username: 'bo', role: 'viewer' };
      expect(isFolderAllowed(admin, '/y')).toBe(true);
      expect(isFolderAllowed(unlimited, '/y')).toBe(true);
    });
  });

  describe('assertFolderAllowed', () => {
    it('throws FolderForbidden (403) outside the limits', () => {
      expect(() => assertFolderAllowed(family, '/family2', 'upload to')).toThrow(expect.objectContaining({ statusCode: 403, code: 'FolderForbidden', message: 'You may not upload to folder /family2' }));
      expect(() => assertFolderAllowed(family, '/family/a')).not.toThrow();
    });
  });

  describe('folderVisibility', () => {
    it('shows ancestors of a limit as a path, not their files', () => {
      expect(folderVisibility(family, '/')).toBe('path');
      expect(folderVisibility(family, '/trips')).toBe('path');
      expect(folderVisibility(family, '/trips/2024')).toBe('all');
      expect(folderVisibility(family, '/trips/2023')).toBe('none');
      expect(folderVisibility(family, '/family2')).toBe('none');
    });
  });

  describe('parseFolderLimits', () => {
    it('normalizes, sorts, removes duplicates and folders covered by another', () => {
      expect(parseFolderLimits(['trips/2024/', '/family', '/family/kids', '/family'])).toEqual(['/family', '/trips/2024']);
    });

    it('treats absent, null and a list holding the root as every folder', () => {
      expect([parseFolderLimits(undefined), parseFolderLimits(null), parseFolderLimits(['/a', '/'])]).toEqual([undefined, undefined, undefined]);
    });

    it.each([
      ['an empty list', []],
      ['a string', '/family'],
      ['a traversal', ['/family/../x']],
      ['a non-string', [7]],
      ['too many', Array.from({ length: 21 }, (_, i) => `/f${i}`)],
    ])('throws a ValidationError for %s', (_name, input) => {
      expect(() => parseFolderLimits(input)).toThrow(ValidationError);
    });
  });
});

describe('folder limits in the token, the authorizer and the principal', () => {
  const sign = (folders?: readonly string[]) => signToken({ username: 'ana', userId: 'ana-id', role: 'editor', folders, sessionVersion: 's1', sessionId: 'f1' }, { secret: SECRET, issuer: 'media-store', ttlSeconds: 600, now: NOW });

  it('carries the limits through the token into the authorizer context as a JSON string', async () => {
    // Prepare
    const { token } = await sign(['/family', '/trips/2024']);
    const log = memoryLogger();
    // Act
    const result = await authorize({ routeKey: 'GET /files', headers: { authorization: `Bearer ${token}` }, identitySource: [] }, { keys: async () => SECRET, sessionOf: async () => ({ user: { userId: 'ana-id', sessionVersion: 's1' }, family: { userId: 'ana-id', expiresAt: NOW + 600 } }), issuer: 'media-store', logger: log.logger, now: () => NOW });
    // Assess
    expect(result).toEqual({ isAuthorized: true, context: { username: 'ana', userId: 'ana-id', role: 'editor', folders: '["/family","/trips/2024"]' } });
    const event = apiEvent('GET /files', { principal: (result as { context: { username: string; role: string } }).context });
    expect(principal(event)).toEqual({ username: 'ana', userId: 'ana-id', role: 'editor', folders: ['/family', '/trips/2024'] });
  });

  it('leaves the limits out for a user who may use every folder', async () => {
    const { claims } = await sign(undefined);
    expect(claims).not.toHaveProperty('folders');
  });

  it('refuses a token whose folders claim is not the canonical list it would have issued', async () => {
    // Prepare: validly signed, but the claim is unnormalized or empty.
    for (const folders of [['family'], [], ['/a', '/a/b'], '/family']) {
      const { token } = await signToken({ username: 'ana', role: 'editor', folders: folders as string[] }, { secret: SECRET, issuer: 'media-store', ttlSeconds: 600, now: NOW });
      // Act + Assess
      expect(await verifyToken(token, { secret: SECRET, issuer: 'media-store', now: NOW })).toEqual({ ok: false, reason: 'missing-claims' });
    }
  });

  it('answers 401, never "every folder", when the context limits cannot be read', () => {
    for (const folders of ['not json', '[]', '{}', '["../x"]', 7]) {
      const event = apiEvent('GET /files', { principal: { username: 'ana', role: 'editor', folders } as never });
      expect(() => principal(event)).toThrow(expect.objectContaining({ statusCode: 401 }));
    }
  });
});

describe('storedFolderLimits', () => {
  it('reads an absent limit as every folder and a readable list as itself', () => {
    expect(storedFolderLimits(undefined)).toBeUndefined();
    expect(storedFolderLimits(['/family', '/trips/2024'])).toEqual(['/family', '/trips/2024']);
  });

  it.each([
    ['a string', '/family'],
    ['a set', new Set(['/family'])],
    ['an empty list', []],
    ['numbers', [1, 2]],
    ['mixed element types', ['/family', 7]],
    ['an unreadable path', ['../x']],
  ])('fails closed on %s: no folder at all', (_label, stored) => {
    const folders = storedFolderLimits(stored);
    expect(folders).toEqual([]);
    const ana: Caller = { username: 'ana', role: 'editor', folders };
    expect(isFolderAllowed(ana, '/family')).toBe(false);
    expect(isFolderAllowed(ana, '/')).toBe(false);
  });
});
