/** A listing's `limit` parameter, read against its page sizes (contract/listing.ts). */
import type { PageLimits } from '../../contract/listing';
import { ValidationError } from './errors';

/** The page size asked for, or the default; anything but a whole number from 1 to the most is a 400 naming `limit`. */
export function parsePageLimit(raw: string | undefined, limits: PageLimits): number {
  if (raw === undefined) return limits.default;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1 || Number(raw) > limits.max) throw new ValidationError('limit', `must be a whole number from 1 to ${limits.max}`);
  return Number(raw);
}
