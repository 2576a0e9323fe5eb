import { claimedFolders, identityId, mappedRole, parseRoleMapping } from '../../../../handlers/core/oidc';

const policy = { roleClaim: 'groups', mapping: { 'media-admins': 'admin', staff: 'viewer', 'media-store.upload': 'editor' } } as const;

describe('mappedRole', () => {
  it('maps a claim value to its role, and several values to the highest', () => {
    expect(mappedRole({ groups: 'staff' }, policy)).toBe('viewer');
    expect(mappedRole({ groups: ['staff', 'media-admins', 'other'] }, policy)).toBe('admin');
  });

  it('refuses (undefined) when no value is mapped: there is no default role', () => {
    expect(mappedRole({ groups: ['other'] }, policy)).toBeUndefined();
    expect(mappedRole({}, policy)).toBeUndefined();
    expect(mappedRole({ groups: { 'media-admins': true } }, policy)).toBeUndefined();
  });

  it('reads scopes only for machine tokens', () => {
    expect(mappedRole({ scope: 'openid media-store.upload' }, policy)).toBeUndefined();
    expect(mappedRole({ scope: 'openid media-store.upload' }, policy, { withScopes: true })).toBe('editor');
  });

  it('does not take inherited object keys as mapped values', () => {
    expect(mappedRole({ groups: ['constructor', 'toString'] }, policy)).toBeUndefined();
  });
});

describe('parseRoleMapping', () => {
  it('reads a JSON object of value to role', () => {
    expect(parseRoleMapping('{"a":"admin","b":"viewer"}')).toEqual({ a: 'admin', b: 'viewer' });
    expect(parseRoleMapping('')).toEqual({});
  });

  it('throws naming the variable for a role that does not exist or a non-object', () => {
    expect(() => parseRoleMapping('{"a":"owner"}')).toThrow(/OIDC_ROLE_MAPPING.*"a".*admin, editor, viewer/);
    expect(() => parseRoleMapping('["admin"]')).toThrow(/OIDC_ROLE_MAPPING/);
  });
});

describe('claimedFolders', () => {
  it('gives the folder limits of the claim, none when absent, null when unreadable', () => {
    expect(claimedFolders({ media_folders: ['/family'] }, 'media_folders')).toEqual(['/family']);
    expect(claimedFolders({}, 'media_folders')).toBeUndefined();
    expect(claimedFolders({ media_folders: 'family' }, 'media_folders')).toBeNull();
    expect(claimedFolders({ media_folders: [] }, 'media_folders')).toBeNull();
  });
});

describe('identityId', () => {
  it('tells apart the same subject at two issuers', () => {
    expect(identityId('https://a.example', 'u1')).not.toBe(identityId('https://b.example', 'u1'));
    expect(identityId('https://a.example', 'u1')).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
