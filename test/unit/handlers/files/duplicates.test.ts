/** Duplicate uploads: what `POST /files/exists` and `GET /files/duplicates` answer (handlers/files/duplicates.ts). */
import { createHash } from 'node:crypto';
import type { ContentCopy, ContentLookup } from '../../../../handlers/adapters/content-index';
import { duplicateGroups, filesExist, listDuplicates, parseExistsRequest } from '../../../../handlers/files/duplicates';
import { MAX_EXISTS_HASHES } from '../../../../contract/dedupe';
import type { Caller } from '../../../../handlers/core/roles';

const sha = (text: string): string => createHash('sha256').update(text).digest('base64');
const A = sha('a');
const B = sha('b');
const C = sha('c');

const copy = (sha256: string, folder: string, name: string, uploadedAt: string, size = 10): ContentCopy => ({ id: `${folder}/${name}`, folder, name, size, uploadedAt, uploadedBy: 'ann', sha256 });

function lookup(copies: readonly ContentCopy[]): ContentLookup & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    copiesOf: async (sha256s) => {
      asked.push([...sha256s]);
      const found = new Map<string, ContentCopy[]>();
      for (const c of copies) if (sha256s.includes(c.sha256)) found.set(c.sha256, [...(found.get(c.sha256) ?? []), c]);
      return found;
    },
    all: async () => ({ copies, complete: true }),
  };
}

const ADMIN: Caller = { username: 'root', role: 'admin' };
const FAMILY_ONLY: Caller = { username: 'kid', role: 'editor', folders: ['/family'] };

describe('POST /files/exists', () => {
  const library = [copy(A, '/family', 'a.jpg', '2026-01-02T00:00:00Z'), copy(A, '/work', 'a-copy.jpg', '2026-01-01T00:00:00Z'), copy(B, '/work', 'b.jpg', '2026-01-01T00:00:00Z')];

  it('answers the contents already stored with where each copy is, oldest first, and leaves the others out', async () => {
    const answer = await filesExist([A, B, C], ADMIN, { content: lookup(library) });
    expect(answer.found).toEqual([
      { sha256: A, copies: [expect.objectContaining({ folder: '/work', name: 'a-copy.jpg' }), expect.objectContaining({ folder: '/family', name: 'a.jpg' })] },
      { sha256: B, copies: [expect.objectContaining({ folder: '/work', name: 'b.jpg' })] },
    ]);
  });

  it('never names (nor counts) a copy in a folder outside the caller\'s limits: B exists only in /work, so for a /family user it is not there', async () => {
    const answer = await filesExist([A, B], FAMILY_ONLY, { content: lookup(library) });
    expect(answer.found).toEqual([{ sha256: A, copies: [expect.objectContaining({ folder: '/family', name: 'a.jpg' })] }]);
    expect(JSON.stringify(answer)).not.toContain('/work');
  });

  it.each([
    ['not an object', [A], 'body'],
    ['no sha256', {}, 'sha256'],
    ['an unknown field', { sha256: [A], folder: '/' }, 'folder'],
    ['an empty list', { sha256: [] }, 'sha256'],
    ['too many', { sha256: Array.from({ length: MAX_EXISTS_HASHES + 1 }, () => A) }, 'sha256'],
    ['a hex digest', { sha256: [createHash('sha256').update('a').digest('hex')] }, 'sha256[0]'],
  ])('refuses %s with a 400 naming the field', (_, body, field) => {
    expect(() => parseExistsRequest(body)).toThrow(expect.objectContaining({ statusCode: 400, field }));
  });
});

describe('GET /files/duplicates', () => {
  it('groups the files with the same content, most bytes to free first, and leaves single copies out', () => {
    const groups = duplicateGroups([
      copy(A, '/x', '1', '2026-01-03T00:00:00Z', 5),
      copy(B, '/x', '2', '2026-01-01T00:00:00Z', 100),
      copy(A, '/y', '1', '2026-01-01T00:00:00Z', 5),
      copy(B, '/y', '2', '2026-01-02T00:00:00Z', 100),
      copy(B, '/z', '2', '2026-01-03T00:00:00Z', 100),
      copy(C, '/x', '3', '2026-01-01T00:00:00Z', 1000),
    ]);
    expect(groups.map((g) => [g.sha256, g.extraBytes, g.copies.map((c) => c.folder)])).toEqual([
      [B, 200, ['/x', '/y', '/z']],
      [A, 5, ['/y', '/x']],
    ]);
  });

  it('is for admins only (403 for an editor)', async () => {
    await expect(listDuplicates(FAMILY_ONLY, 10_000, { content: lookup([]) })).rejects.toMatchObject({ statusCode: 403 });
    await expect(listDuplicates(ADMIN, 10_000, { content: lookup([copy(A, '/x', '1', '2026-01-01T00:00:00Z'), copy(A, '/y', '1', '2026-01-02T00:00:00Z')]) })).resolves.toMatchObject({ complete: true, truncated: false, extraBytes: 10, groups: [{ sha256: A }] });
  });
});
