/**
 * The timeline's arithmetic (contract/table.ts "Timeline counters", docs/api.md "Timeline"):
 * where a file row counts (folder, month, shard), the counter changes a row write makes, the
 * buckets a caller sees, and the merge of a month's files across folders, newest taken
 * first. Pure: the adapters read and write what these functions compute.
 */
import { TIMELINE_SHARDS } from '../../contract/table';
import { ValidationError } from './errors';
import { takenSortKey } from './media';

/** Where a file counts on the timeline: its folder, month (`YYYY-MM`) and counter shard. */
export interface TimelinePlace {
  readonly folder: string;
  readonly month: string;
  readonly shard: number;
}

/** One change to one counter item. */
export interface CounterChange extends TimelinePlace {
  readonly delta: number;
}

/** A counter item as stored. */
export interface TimelineCounter extends TimelinePlace {
  readonly count: number;
}

/** A month and how many files of it the caller may see. */
export interface TimelineBucket {
  readonly month: string;
  readonly count: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The counter shard of an S3 key: FNV-1a (32 bit) modulo `shards`, the same for every write of the key. */
export function timelineShardOf(key: string, shards: number = TIMELINE_SHARDS): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/** The month (`YYYY-MM`) of a `byTaken` sort key (`<ISO time>#<name>`). */
export const monthOfSortKey = (sortKey: string): string => sortKey.slice(0, 7);

/**
 * Where a stored item counts, or `undefined` when it does not (a tombstone, anything that is not
 * an available file row): the month of its `byTaken` sort key as stored (`gsi2sk`), else as
 * the file's date taken or upload time make it.
 */
export function timelinePlaceOf(item: Readonly<Record<string, unknown>> | undefined): TimelinePlace | undefined {
  if (item === undefined || item.status !== 'available') return undefined;
  const { key, folder, gsi2sk, name, uploadedAt, media } = item;
  if (typeof key !== 'string' || typeof folder !== 'string') return undefined;
  let sortKey: string | undefined = typeof gsi2sk === 'string' ? gsi2sk : undefined;
  if (sortKey === undefined && typeof uploadedAt === 'string' && typeof name === 'string') {
    const takenAt = typeof media === 'object' && media !== null && typeof (media as Record<string, unknown>).takenAt === 'string' ? ((media as Record<string, unknown>).takenAt as string) : undefined;
    try {
      sortKey = takenSortKey(takenAt, uploadedAt, name);
    } catch {
      return undefined;
    }
  }
  if (sortKey === undefined || !MONTH.test(monthOfSortKey(sortKey))) return undefined;
  return { folder, month: monthOfSortKey(sortKey), shard: timelineShardOf(key) };
}

const samePlace = (a: TimelinePlace, b: TimelinePlace): boolean => a.folder === b.folder && a.month === b.month && a.shard === b.shard;

/** The counter changes that replacing a row counted at `before` with one counted at `after` makes (none when they count at the same place). */
export function counterChanges(before: TimelinePlace | undefined, after: TimelinePlace | undefined): CounterChange[] {
  if (before !== undefined && after !== undefined && samePlace(before, after)) return [];
  return [...(before !== undefined ? [{ ...before, delta: -1 }] : []), ...(after !== undefined ? [{ ...after, delta: 1 }] : [])];
}

/** The months with files the caller may see (`visible` folders), newest first, with their counts; folders and shards summed. */
export function sumBuckets(counters: Iterable<TimelineCounter>, visible: (folder: string) => boolean): TimelineBucket[] {
  const months = new Map<string, number>();
  for (const counter of counters) {
    if (counter.count === 0 || !visible(counter.folder)) continue;
    months.set(counter.month, (months.get(counter.month) ?? 0) + counter.count);
  }
  return [...months]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([month, count]) => ({ month, count }));
}

/** The folders the caller may see that hold files in `month`, with their counts (shards summed), by folder path. */
export function monthFolders(counters: Iterable<TimelineCounter>, month: string, visible: (folder: string) => boolean): Map<string, number> {
  const folders = new Map<string, number>();
  for (const counter of counters) {
    if (counter.month !== month || !visible(counter.folder)) continue;
    folders.set(counter.folder, (folders.get(counter.folder) ?? 0) + counter.count);
  }
  for (const [folder, count] of folders) if (count <= 0) folders.delete(folder);
  return folders;
}

/** `?month=`: `YYYY-MM`, or a 400 naming the parameter. */
export function parseMonth(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new ValidationError('month', 'is required (YYYY-MM)');
  if (!MONTH.test(raw)) throw new ValidationError('month', 'must be a month as YYYY-MM (e.g. 2024-05)');
  return raw;
}

/** A file of a month as read from a folder: its `byTaken` sort key and folder order it on the timeline. */
export interface TimelineEntry<T> {
  readonly sortKey: string;
  readonly folder: string;
  readonly file: T;
}

/** Where a timeline page ended: the last file's sort key and folder. */
export interface TimelinePosition {
  readonly sortKey: string;
  readonly folder: string;
}

/** Timeline order: newest sort key first, folders (Z to A) breaking ties. Negative when `a` comes first. */
export function compareTimeline(a: TimelinePosition, b: TimelinePosition): number {
  if (a.sortKey !== b.sortKey) return a.sortKey > b.sortKey ? -1 : 1;
  if (a.folder !== b.folder) return a.folder > b.folder ? -1 : 1;
  return 0;
}

/** Whether `entry` comes after `position` on the timeline (is on a later page). */
export const isAfter = (entry: TimelinePosition, position: TimelinePosition | undefined): boolean => position === undefined || compareTimeline(entry, position) > 0;

/**
 * One page of a month from the folders' reads (each newest first, each read up to `limit + 1`
 * files after `after` unless the folder ended): the first `limit` in timeline order, and
 * where the page ended when more follow.
 */
export function mergePage<T>(perFolder: readonly (readonly TimelineEntry<T>[])[], limit: number, after?: TimelinePosition): { entries: TimelineEntry<T>[]; last?: TimelinePosition } {
  const all = perFolder.flat().filter((e) => isAfter(e, after));
  all.sort(compareTimeline);
  const entries = all.slice(0, limit);
  const last = entries[entries.length - 1];
  return all.length > limit && last !== undefined ? { entries, last: { sortKey: last.sortKey, folder: last.folder } } : { entries };
}

/** One counter item's identity: shard, month and folder. */
export const counterId = (place: TimelinePlace): string => `${place.shard}\u0000${place.month}\u0000${place.folder}`;

/** The counters the rows imply: one per place with files. */
export function expectedCounters(items: Iterable<Readonly<Record<string, unknown>>>): Map<string, TimelineCounter> {
  const counters = new Map<string, TimelineCounter>();
  for (const item of items) {
    const place = timelinePlaceOf(item);
    if (place === undefined) continue;
    const id = counterId(place);
    counters.set(id, { ...place, count: (counters.get(id)?.count ?? 0) + 1 });
  }
  return counters;
}

/** A counter that is not what the rows imply. */
export interface CounterDrift extends TimelinePlace {
  readonly stored: number;
  readonly expected: number;
}

/** The counters whose stored count differs from the rows' (a missing counter is 0; a zero counter with no files is no drift). */
export function counterDrift(stored: Iterable<TimelineCounter>, expected: ReadonlyMap<string, TimelineCounter>): CounterDrift[] {
  const drift: CounterDrift[] = [];
  const seen = new Set<string>();
  for (const counter of stored) {
    const id = counterId(counter);
    seen.add(id);
    const want = expected.get(id)?.count ?? 0;
    if (counter.count !== want) drift.push({ folder: counter.folder, month: counter.month, shard: counter.shard, stored: counter.count, expected: want });
  }
  for (const [id, counter] of expected) if (!seen.has(id)) drift.push({ folder: counter.folder, month: counter.month, shard: counter.shard, stored: 0, expected: counter.count });
  return drift.sort((a, b) => (counterId(a) < counterId(b) ? -1 : 1));
}
