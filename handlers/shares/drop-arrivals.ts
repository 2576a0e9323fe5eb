/**
 * A file that arrived through a drop link, seen by the sync function: its reservation becomes
 * `arrived` (it stays counted against the link's quota at its real size, and is counted again if the sweep had
 * already given it back), and the share's owner is told once with a `share.files-arrived`
 * message. The state change is conditional, so a duplicate or retried S3 event finds the
 * reservation `arrived` and sends nothing. A failed publish is logged, not retried: the
 * arrival is recorded and the file is in the catalog either way (at most once, never twice).
 */
import { NOTIFICATION_TYPES, type ShareFilesArrivedMessage } from '../../contract/notifications';
import type { CatalogFile, UploadSession } from '../core/catalog';
import type { Logger } from '../core/logger';
import type { ShareNotifier } from '../adapters/notifications';
import type { DropReservations } from '../adapters/drop-reservations';
import { DROP_UPLOADER_PREFIX } from '../core/shares';

export interface DropArrivalDeps {
  readonly reservations: Pick<DropReservations, 'arrive'>;
  /** Unset: arrivals are recorded, nobody is told (no topic, e.g. a local stack without one). */
  readonly notify?: ShareNotifier;
  readonly logger: Logger;
  /** @default the clock */
  readonly now?: () => Date;
}

/** Records the arrival of `file`, written by upload `session`; true when this call announced it. */
export async function recordDropArrival(file: CatalogFile, session: UploadSession, deps: DropArrivalDeps): Promise<boolean> {
  // Only a drop link's uploads hold a reservation: one read spared for everybody else's.
  if (!session.owner.startsWith(DROP_UPLOADER_PREFIX)) return false;
  const now = (deps.now ?? (() => new Date()))();
  // The link counts what arrived, not what was declared.
  const reservation = await deps.reservations.arrive(session.uploadId, now, file.size);
  if (reservation === undefined) return false;
  const message: ShareFilesArrivedMessage = {
    type: NOTIFICATION_TYPES.shareFilesArrived,
    shareId: reservation.shareId,
    ...(reservation.label !== undefined ? { label: reservation.label } : {}),
    owner: reservation.owner,
    fileId: file.id,
    folder: file.folder,
    name: file.name,
    size: file.size,
    contentType: file.contentType,
    uploadedAt: file.uploadedAt,
  };
  if (deps.notify === undefined) return false;
  await deps.notify(message).catch((error: unknown) => deps.logger.error('share arrival notification failed', { shareId: reservation.shareId, fileId: file.id, error }));
  return true;
}
