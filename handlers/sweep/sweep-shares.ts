/**
 * The sweep, run hourly by an EventBridge rule: the work the sparse `byDue` index lists as due
 * (contract/table.ts), and nothing else — no scan, however many shares and files there are.
 *
 * - **Abandoned drop uploads:** a reservation still `reserved` at its `releaseAt` (the upload's
 *   session ended a URL lifetime ago and its file never arrived) goes back to its link's quota.
 *   The release is one conditional transaction, so a concurrent arrival or abort wins or loses
 *   as a whole, and a file that lands later is counted again (handlers/shares/drop-arrivals.ts).
 * - **Expiry reminders** (when enabled): a share within a day of its end gets one
 *   `share.expiring` message. The reminder is claimed with a conditional write before it is
 *   sent, so overlapping runs send it once; a revoked or ended share is taken off the list
 *   without a message. A failed publish is logged and not retried (at most once).
 *
 * Each run handles at most `batch` items of each kind; what is left is due at the next run.
 */
import { NOTIFICATION_TYPES } from '../../contract/notifications';
import type { Logger } from '../core/logger';
import type { ShareNotifier } from '../adapters/notifications';
import type { DropReservations } from '../adapters/drop-reservations';
import type { ShareReminders } from '../adapters/share-reminders';

export interface SweepDeps {
  readonly reservations: Pick<DropReservations, 'due' | 'release'>;
  readonly reminders: Pick<ShareReminders, 'due' | 'claim'>;
  /** Unset: no reminders are sent (those due are left in the index). */
  readonly notify?: ShareNotifier;
  readonly expiryReminders: boolean;
  readonly logger: Logger;
  /** Most items of each kind per run. @default 500 */
  readonly batch?: number;
  /** @default the clock */
  readonly now?: () => Date;
}

export interface SweepOutcome {
  /** Reservations given back by this run. */
  readonly released: number;
  /** Reminders sent by this run. */
  readonly reminded: number;
}

export async function sweepShares(deps: SweepDeps): Promise<SweepOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const batch = deps.batch ?? 500;
  let released = 0;
  for (const due of await deps.reservations.due(now, batch)) {
    const settled = await deps.reservations.release(due.uploadId, now);
    if (settled === undefined) continue;
    released += 1;
    deps.logger.info('abandoned drop upload given back', { shareId: settled.shareId, uploadId: settled.uploadId, size: settled.size });
  }

  let reminded = 0;
  if (deps.expiryReminders && deps.notify !== undefined) {
    for (const share of await deps.reminders.due(now, batch)) {
      if (!(await deps.reminders.claim(share.id, now))) continue;
      const message = {
        type: NOTIFICATION_TYPES.shareExpiring,
        shareId: share.id,
        ...(share.label !== undefined ? { label: share.label } : {}),
        owner: share.owner,
        mode: share.mode,
        target: share.target,
        expiresAt: share.expiresAt,
      };
      try {
        await deps.notify(message);
        reminded += 1;
      } catch (error) {
        deps.logger.error('share expiry reminder failed', { shareId: share.id, error });
      }
    }
  }
  deps.logger.info('sweep done', { released, reminded });
  return { released, reminded };
}
