import { hashPassword, needsRehash, verifyPassword } from '../../../../handlers/core/password';

const FAST = { N: 1024, r: 8, p: 1 };
// The defaults (N=2^17) take about a second per hash on a busy two-core machine.
jest.setTimeout(30_000);

describe('password', () => {
  describe('hashPassword', () => {
    it('encodes the algorithm and its parameters with a random salt', async () => {
      const a = await hashPassword('correct horse', FAST);
      const b = await hashPassword('correct horse', FAST);
      expect(a).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
      expect(a).not.toBe(b);
    });

    it("uses OWASP's minimum scrypt parameters by default (N=2^17, r=8, p=1)", async () => {
      expect(await hashPassword('correct horse')).toMatch(/^scrypt\$N=131072,r=8,p=1\$/);
    });

    it('throws on an empty password', async () => {
      await expect(hashPassword('', FAST)).rejects.toThrow();
    });
  });

  describe('verifyPassword', () => {
    it('accepts the right password and rejects a wrong one', async () => {
      const hash = await hashPassword('correct horse', FAST);
      expect(await verifyPassword('correct horse', hash)).toBe(true);
      expect(await verifyPassword('correct horsf', hash)).toBe(false);
    });

    it('treats canonically equivalent unicode as the same password', async () => {
      const hash = await hashPassword('Ma\u0301laga!', FAST);
      expect(await verifyPassword('M\u00e1laga!', hash)).toBe(true);
    });

    it('returns false for an unknown user after spending a full hash (dummy)', async () => {
      // Prepare: warm the dummy so the measurement is the steady state
      await verifyPassword('x', undefined);
      const real = await hashPassword('correct horse');
      // Act
      const t0 = process.hrtime.bigint();
      const unknown = await verifyPassword('correct horse', undefined);
      const t1 = process.hrtime.bigint();
      const wrong = await verifyPassword('wrong', real);
      const t2 = process.hrtime.bigint();
      // Assess: both false, and the unknown user costs about as much as a real check
      expect(unknown).toBe(false);
      expect(wrong).toBe(false);
      const unknownMs = Number(t1 - t0) / 1e6;
      const wrongMs = Number(t2 - t1) / 1e6;
      expect(unknownMs).toBeGreaterThan(wrongMs * 0.4);
    });

    it.each(['', 'plain', 'scrypt$N=3,r=8,p=1$abc$def', 'bcrypt$2b$10$xxxx'])('returns false for an unreadable stored hash %j', async (stored) => {
      expect(await verifyPassword('anything', stored)).toBe(false);
    });
  });

  describe('needsRehash', () => {
    it('flags hashes weaker than the defaults', async () => {
      expect(needsRehash(await hashPassword('pw', FAST))).toBe(true);
      expect(needsRehash(await hashPassword('pw'))).toBe(false);
      expect(needsRehash(await hashPassword('pw', { N: 2 ** 16, r: 8, p: 1 }))).toBe(true);
    });
  });
});
