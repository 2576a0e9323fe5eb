/**
 * The timeline's own chunk (its code and CSS), fetched once, and its first answer fetched
 * ahead: a signed-in visit lands on the timeline, so both start while the session is still
 * being renewed instead of one after the other (refresh → chunk → buckets was a chain of
 * round trips before the first thumbnail). Part of the initial bundle; tiny.
 */
import type * as TimelineModule from './Timeline';
import type { TimelineBuckets } from '../../../contract/wire';
import * as api from '../api';

let chunk: Promise<typeof TimelineModule> | undefined;

/** The chunk, once (a failed load is tried again on the next call). */
export function loadTimelineChunk(): Promise<typeof TimelineModule> {
  chunk ??= import('./Timeline').catch((error: unknown) => {
    chunk = undefined;
    throw error;
  });
  return chunk;
}

/** How long a bucket list fetched ahead is still used by the timeline that opens. */
const PREFETCH_FRESH_MS = 30_000;
let prefetched: { readonly at: number; readonly answer: Promise<TimelineBuckets> } | undefined;

/** Starts `GET /timeline/buckets` for the timeline about to open. */
export function prefetchTimelineBuckets(): void {
  const answer = api.timelineBuckets();
  answer.catch(() => undefined);
  prefetched = { at: Date.now(), answer };
}

/** The buckets: the answer fetched ahead when fresh (used once), else a new request. */
export function timelineBuckets(): Promise<TimelineBuckets> {
  const ahead = prefetched;
  prefetched = undefined;
  return ahead !== undefined && Date.now() - ahead.at < PREFETCH_FRESH_MS ? ahead.answer : api.timelineBuckets();
}
