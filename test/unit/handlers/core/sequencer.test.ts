import fc from 'fast-check';
import { compareSequencers, normalizeSequencer, SEQUENCER_WIDTH } from '../../../../handlers/core/sequencer';

describe('sequencer', () => {
  describe('compareSequencers', () => {
    it('orders hex values of equal length', () => {
      expect(compareSequencers('0055AEABD1EA5BB2', '0055AEABD1EA5BB3')).toBeLessThan(0);
      expect(compareSequencers('0055AEABD1EA5BB3', '0055AEABD1EA5BB2')).toBeGreaterThan(0);
      expect(compareSequencers('0055AEABD1EA5BB2', '0055aeabd1ea5bb2')).toBe(0);
    });

    it('compares different lengths after left-padding, not lexicographically', () => {
      // Lexicographically "FF" > "100"; numerically 0xFF < 0x100.
      expect(compareSequencers('FF', '100')).toBeLessThan(0);
      expect(compareSequencers('0FF', 'FF')).toBe(0);
    });

    it('agrees with numeric order', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: 2n ** 100n }), fc.bigInt({ min: 0n, max: 2n ** 100n }), (a, b) => {
          expect(Math.sign(compareSequencers(a.toString(16), b.toString(16)))).toBe(a < b ? -1 : a > b ? 1 : 0);
        }),
      );
    });
  });

  describe('normalizeSequencer', () => {
    it('pads to a fixed width so stored strings compare like numbers', () => {
      const a = normalizeSequencer('FF') as string;
      const b = normalizeSequencer('100') as string;
      expect(a).toHaveLength(SEQUENCER_WIDTH);
      expect(a < b).toBe(true);
      expect(normalizeSequencer('00ff')).toBe(a);
    });

    it.each(['', 'xyz', '12 34', 'F'.repeat(SEQUENCER_WIDTH + 1)])('returns undefined for %j', (input) => {
      expect(normalizeSequencer(input)).toBeUndefined();
    });
  });
});
