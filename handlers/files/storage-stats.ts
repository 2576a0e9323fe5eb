/** `GET /stats/storage`: admins see how much the catalog holds, in total, by type, by content type and by uploader. */
import { requirePermission, type Caller } from '../core/roles';
import { storageStatsOf, type StorageStats } from '../core/storage-stats';
import type { StorageUsage } from '../adapters/storage-usage';

/** Time kept back from the Lambda's remaining time to answer the 503 before the function times out. */
export const STATS_MARGIN_MS = 1500;

export interface StorageStatsDeps {
  readonly usage: StorageUsage;
  /** @default the clock */
  readonly now?: () => Date;
}

/** `remainingMs`: the invocation's remaining time (Lambda's `getRemainingTimeInMillis`). */
export async function storageStats(caller: Caller, remainingMs: number, deps: StorageStatsDeps): Promise<StorageStats> {
  requirePermission(caller, 'manage-users', 'see the storage figures (admins only)');
  const now = deps.now ?? (() => new Date());
  const started = now();
  const tally = await deps.usage.tally(started.getTime() + Math.max(0, remainingMs - STATS_MARGIN_MS));
  return storageStatsOf(tally, started);
}
