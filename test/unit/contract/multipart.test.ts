import { createHash } from 'node:crypto';
import {
  checkPartList,
  isBase64Sha256,
  MAX_OBJECT_SIZE,
  MAX_PART_SIZE,
  MAX_PARTS,
  MiB,
  MIN_PART_SIZE,
  partLength,
  partOffset,
  planParts,
  PREFERRED_PART_SIZE,
  type HeldPart,
} from '../../../contract/multipart';

/** S3's rules for a plan: ≤ 10,000 parts, every part but the last 5 MiB … 5 GiB, all bytes covered. */
function expectValidPlan(size: number): void {
  const plan = planParts(size);
  expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
  expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_SIZE);
  expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
  const last = partLength(size, plan, plan.partCount);
  expect(last).toBeGreaterThanOrEqual(size === 0 ? 0 : 1);
  expect(last).toBeLessThanOrEqual(plan.partSize);
  expect((plan.partCount - 1) * plan.partSize + last).toBe(size);
}

describe('multipart', () => {
  describe('planParts', () => {
    it('plans one empty part for 0 bytes (S3 refuses a completion without parts)', () => {
      expect(planParts(0)).toEqual({ partSize: PREFERRED_PART_SIZE, partCount: 1 });
      expect(partLength(0, planParts(0), 1)).toBe(0);
    });

    it('plans one part for exactly 5 MiB', () => {
      expect(planParts(5 * MiB)).toEqual({ partSize: PREFERRED_PART_SIZE, partCount: 1 });
      expect(partLength(5 * MiB, planParts(5 * MiB), 1)).toBe(5 * MiB);
    });

    it('cuts at the preferred part size, the last part shorter', () => {
      const size = 64 * MiB + 3;
      const plan = planParts(size);
      expect(plan).toEqual({ partSize: 8 * MiB, partCount: 9 });
      expect(partLength(size, plan, 8)).toBe(8 * MiB);
      expect(partLength(size, plan, 9)).toBe(3);
      expect(partOffset(plan, 9)).toBe(64 * MiB);
    });

    it('uses exactly 10,000 parts of the preferred size when they fit exactly', () => {
      expect(planParts(MAX_PARTS * PREFERRED_PART_SIZE)).toEqual({ partSize: PREFERRED_PART_SIZE, partCount: MAX_PARTS });
    });

    it('grows the part size by a whole MiB one byte beyond 10,000 preferred parts', () => {
      const size = MAX_PARTS * PREFERRED_PART_SIZE + 1;
      expect(planParts(size)).toEqual({ partSize: PREFERRED_PART_SIZE + MiB, partCount: Math.ceil(size / (PREFERRED_PART_SIZE + MiB)) });
      expectValidPlan(size);
    });

    it('fits S3\'s largest object, 5 TiB, in at most 10,000 parts', () => {
      expect(MAX_OBJECT_SIZE).toBe(5_497_558_138_880);
      const plan = planParts(MAX_OBJECT_SIZE);
      expect(plan).toEqual({ partSize: 525 * MiB, partCount: 9987 });
      expectValidPlan(MAX_OBJECT_SIZE);
    });

    it('throws beyond 5 TiB and for sizes that are not whole bytes', () => {
      expect(() => planParts(MAX_OBJECT_SIZE + 1)).toThrow(RangeError);
      expect(() => planParts(-1)).toThrow(RangeError);
      expect(() => planParts(1.5)).toThrow(RangeError);
      expect(() => planParts(Number.NaN)).toThrow(RangeError);
    });

    it.each([1, MIN_PART_SIZE - 1, MIN_PART_SIZE + 1, 100 * MiB, 78 * 1024 ** 3, 1024 ** 4, 3 * 1024 ** 4 + 7, MAX_OBJECT_SIZE - 1])(
      'keeps S3\'s part rules for %d bytes',
      (size) => expectValidPlan(size),
    );
  });

  describe('partLength', () => {
    it('throws for part numbers outside 1…partCount', () => {
      const plan = planParts(20 * MiB);
      expect(() => partLength(20 * MiB, plan, 0)).toThrow(RangeError);
      expect(() => partLength(20 * MiB, plan, plan.partCount + 1)).toThrow(RangeError);
    });
  });

  describe('checkPartList', () => {
    const size = 2 * PREFERRED_PART_SIZE + 10;
    const plan = planParts(size);
    const held: HeldPart[] = [
      { partNumber: 1, etag: 'a', size: PREFERRED_PART_SIZE },
      { partNumber: 2, etag: 'b', size: PREFERRED_PART_SIZE },
      { partNumber: 3, etag: 'c', size: 10 },
    ];
    const claimed = [
      { partNumber: 1, etag: '"a"' },
      { partNumber: 2, etag: 'b' },
      { partNumber: 3, etag: 'c' },
    ];

    it('accepts every part in order with S3\'s etags (quotes ignored) adding up to the size', () => {
      expect(checkPartList(size, plan, claimed, held)).toBeUndefined();
    });

    it('refuses a part S3 does not hold', () => {
      expect(checkPartList(size, plan, claimed, held.slice(0, 2))).toMatchObject({ code: 'PartListMismatch', message: expect.stringContaining('part 3') });
    });

    it('refuses another etag than the stored part\'s', () => {
      expect(checkPartList(size, plan, [claimed[0]!, { partNumber: 2, etag: 'x' }, claimed[2]!], held)).toMatchObject({ code: 'PartListMismatch' });
    });

    it('refuses parts out of order or with gaps', () => {
      expect(checkPartList(size, plan, [claimed[1]!, claimed[0]!, claimed[2]!], held)).toMatchObject({ code: 'PartListMismatch' });
      expect(checkPartList(size, plan, [claimed[0]!, claimed[2]!], held)).toMatchObject({ code: 'PartListMismatch' });
    });

    it('refuses a list that stops before the declared size', () => {
      expect(checkPartList(size, plan, claimed.slice(0, 2), held)).toMatchObject({ code: 'SizeMismatch', message: expect.stringContaining(`declared ${size} bytes`) });
    });

    it('refuses a stored part of another length than planned', () => {
      const short = [held[0]!, { ...held[1]!, size: PREFERRED_PART_SIZE - 1 }, held[2]!];
      expect(checkPartList(size, plan, claimed, short)).toMatchObject({ code: 'SizeMismatch' });
    });

    it('refuses parts beyond the plan', () => {
      const extra = [...held, { partNumber: 4, etag: 'd', size: 1 }];
      expect(checkPartList(size, plan, [...claimed, { partNumber: 4, etag: 'd' }], extra)).toMatchObject({ code: 'SizeMismatch' });
    });
  });

  describe('isBase64Sha256', () => {
    const digest = createHash('sha256').update('x').digest();

    it('accepts a padded base64 SHA-256', () => {
      expect(isBase64Sha256(digest.toString('base64'))).toBe(true);
    });

    it.each([
      ['hex', digest.toString('hex')],
      ['base64url', digest.toString('base64url')],
      ['unpadded', digest.toString('base64').replace(/=$/, '')],
      ['31 bytes', digest.subarray(1).toString('base64')],
      ['non-canonical last character', `${digest.toString('base64').slice(0, 42)}B=`],
      ['whitespace', ` ${digest.toString('base64')}`],
      ['a number', 42],
    ])('refuses %s', (_, value) => {
      expect(isBase64Sha256(value)).toBe(false);
    });
  });
});
