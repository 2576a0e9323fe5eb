import { copyPartRanges, copyPartSize, DEFAULT_COPY_PART_BYTES, MAX_COPY_PARTS, MAX_SINGLE_COPY_BYTES, needsPartCopy } from '../../../../handlers/core/copy-parts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('copy-parts', () => {
  describe('needsPartCopy', () => {
    it('copies up to 5 GiB in one request and larger objects part by part', () => {
      expect(needsPartCopy(MAX_SINGLE_COPY_BYTES)).toBe(false);
      expect(needsPartCopy(MAX_SINGLE_COPY_BYTES + 1)).toBe(true);
    });
  });

  describe('copyPartSize', () => {
    it('uses the preferred size while 10,000 parts suffice', () => {
      expect(copyPartSize(6 * GiB)).toBe(DEFAULT_COPY_PART_BYTES);
    });

    it('grows the part size in whole MiB for a 5 TiB object', () => {
      const size = 5 * 1024 * GiB;
      const partSize = copyPartSize(size, 5 * MiB);
      expect(partSize % MiB).toBe(0);
      expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_COPY_PARTS);
    });

    it('throws when the object cannot fit in 10,000 parts of 5 GiB', () => {
      expect(() => copyPartSize(MAX_COPY_PARTS * 5 * GiB + 1)).toThrow(RangeError);
    });
  });

  describe('copyPartRanges', () => {
    it('covers every byte once, in order, with inclusive ranges', () => {
      // Act
      const parts = copyPartRanges(6 * GiB + 7, 512 * MiB);
      // Assess
      expect(parts).toHaveLength(13);
      expect(parts[0]).toEqual({ partNumber: 1, first: 0, last: 512 * MiB - 1 });
      expect(parts[12]).toEqual({ partNumber: 13, first: 12 * 512 * MiB, last: 6 * GiB + 6 });
      parts.forEach((part, i) => {
        expect(part.partNumber).toBe(i + 1);
        if (i > 0) expect(part.first).toBe((parts[i - 1]?.last ?? 0) + 1);
      });
    });

    it('makes one part when the object is smaller than a part', () => {
      expect(copyPartRanges(10, 512 * MiB)).toEqual([{ partNumber: 1, first: 0, last: 9 }]);
    });

    it('makes exact parts when the size is a multiple of the part size', () => {
      expect(copyPartRanges(4, 2)).toEqual([
        { partNumber: 1, first: 0, last: 1 },
        { partNumber: 2, first: 2, last: 3 },
      ]);
    });

    it.each([0, -1, 1.5])('throws for a size of %p', (size) => {
      expect(() => copyPartRanges(size, 2)).toThrow(RangeError);
    });
  });
});
