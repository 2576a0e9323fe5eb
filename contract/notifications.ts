/**
 * Messages the module publishes on its notifications topic (`<prefix>-upload-processed`),
 * as JSON in the SNS `Message`. Every message has the SNS message attribute `type` (and the
 * share messages `owner`), so a subscription can take only what it wants with a filter
 * policy, e.g. `{"type": ["share.files-arrived", "share.expiring"], "owner": ["alice"]}`.
 */
import type { ShareTarget } from './wire';

export const NOTIFICATION_TYPES = {
  uploadProcessed: 'upload.processed',
  shareFilesArrived: 'share.files-arrived',
  shareExpiring: 'share.expiring',
} as const;

/** A file arrived through a drop link: sent once per file, by the sync function, when it is catalogued. */
export interface ShareFilesArrivedMessage {
  readonly type: typeof NOTIFICATION_TYPES.shareFilesArrived;
  readonly shareId: string;
  readonly label?: string;
  /** The share's creator, who is told. */
  readonly owner: string;
  readonly fileId: string;
  readonly folder: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  /** ISO 8601. */
  readonly uploadedAt: string;
}

/** A share ends within a day: sent once per share, by the sweep function (module variable `share_expiry_reminders`). */
interface ShareExpiringMessage {
  readonly type: typeof NOTIFICATION_TYPES.shareExpiring;
  readonly shareId: string;
  readonly label?: string;
  readonly owner: string;
  readonly mode: 'view' | 'drop';
  /** What is shared: a file or a folder. */
  readonly target: ShareTarget;
  /** ISO 8601. */
  readonly expiresAt: string;
}

export type ShareNotification = ShareFilesArrivedMessage | ShareExpiringMessage;
