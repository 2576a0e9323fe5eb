/**
 * The folder orders of GET /files (contract/listing.ts) as e2e tests page them, and what
 * each order means computed from the fields the API answers, independently of the indexes.
 */
export interface Listed {
  readonly id: string;
  readonly name: string;
  readonly uploadedAt: string;
  readonly fileType: 'image' | 'video' | 'other';
  readonly takenAt?: string;
  readonly processing?: string;
}

export interface Page {
  readonly files: Listed[];
  readonly nextCursor: string | null;
}

export const ORDERS = [
  ['name', 'asc'],
  ['name', 'desc'],
  ['uploaded', 'asc'],
  ['uploaded', 'desc'],
  ['taken', 'asc'],
  ['taken', 'desc'],
] as const;
export type Sort = (typeof ORDERS)[number][0];

/** What each order means, from the fields the API answers: the expectation is computed independently of the index. */
export function expectedOrder(files: readonly Listed[], sort: Sort, order: 'asc' | 'desc'): string[] {
  const when = (f: Listed): number => Date.parse(sort === 'uploaded' ? f.uploadedAt : (f.takenAt ?? f.uploadedAt));
  const sorted = [...files].sort((a, b) => {
    if (sort !== 'name' && when(a) !== when(b)) return when(a) - when(b);
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  if (order === 'desc') sorted.reverse();
  return sorted.map((f) => f.name);
}
