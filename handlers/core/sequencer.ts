/**
 * S3 event `sequencer` values: hex strings whose order is the order of operations on one
 * key. They are only comparable after left-padding to equal length, so they are stored
 * padded to a fixed width, which also makes DynamoDB's string comparison (`<`) correct.
 */
export const SEQUENCER_WIDTH = 32;
const HEX = /^[0-9A-Fa-f]+$/;

/** The padded, upper-case form stored in the catalog; `undefined` for anything not hex or too long. */
export function normalizeSequencer(sequencer: string): string | undefined {
  if (!HEX.test(sequencer)) return undefined;
  const trimmed = sequencer.replace(/^0+(?=.)/, '').toUpperCase();
  return trimmed.length > SEQUENCER_WIDTH ? undefined : trimmed.padStart(SEQUENCER_WIDTH, '0');
}

/** Negative when `a` happened before `b`, zero for the same event, positive after. */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const pa = a.toUpperCase().padStart(width, '0');
  const pb = b.toUpperCase().padStart(width, '0');
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}
