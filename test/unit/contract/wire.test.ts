/**
 * The handlers' answers conform to contract/wire.ts, the declaration clients are built on:
 * these assignments are checked by `npm run typecheck` (tsc), so a field renamed on either
 * side breaks the build. The runtime test checks a real file view carries the fields too.
 */
import type * as Wire from '../../../contract/wire';
import type { CatalogFile } from '../../../handlers/core/catalog';
import type { FileView } from '../../../handlers/files/file-view';
import { toFileView } from '../../../handlers/files/file-view';
import type { FileViewPage } from '../../../handlers/files/file-view';
import type { FileLinksResponse } from '../../../handlers/files/file-links';
import type { CreateUploadResponse } from '../../../handlers/uploads/create-upload';
import type { SignPartsResponse } from '../../../handlers/uploads/sign-parts';
import type { UploadStatusResponse } from '../../../handlers/uploads/upload-status';
import type { AccessGrant, SessionUser } from '../../../handlers/auth/session';
import type { UserView } from '../../../handlers/auth/manage-users';
import type { FolderRef } from '../../../handlers/core/folders';
import type { CreatedShare } from '../../../handlers/files/shares';
import type { ShareSummary } from '../../../handlers/adapters/shares-repository';
import type { PublicShareResponse } from '../../../handlers/files/public-shares';
import type { StorageStats } from '../../../handlers/core/storage-stats';
import { ObjectUrls } from '../../../handlers/core/object-urls';

/** Compiles only when `Actual` can be read as `Expected`. */
type Conforms<Actual extends Expected, Expected> = Actual;

export type HandlerAnswersConform = [
  Conforms<FileView, Wire.FileItem>,
  Conforms<FileViewPage, Wire.FilePage>,
  Conforms<FileLinksResponse, Wire.FileLinks>,
  Conforms<CreateUploadResponse, Wire.CreatedUpload>,
  Conforms<SignPartsResponse, Wire.SignedParts>,
  Conforms<UploadStatusResponse, Wire.UploadStatus>,
  Conforms<AccessGrant, Wire.LoginResponse>,
  Conforms<SessionUser, Wire.SessionUser>,
  Conforms<UserView, Wire.UserView>,
  Conforms<FolderRef, Wire.FolderRef>,
  Conforms<ShareSummary, Wire.ShareSummary>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/get-job').getJob>>, Wire.MoveJobAnswer | Wire.TrashJobAnswer>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/trash').listTrash>>, Wire.TrashPage>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/trash').restoreEntry>>, Wire.TrashRestored>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/trash-jobs').startTrashJob>>, Wire.TrashJobAnswer>,
  Conforms<CreatedShare, Wire.CreatedShare>,
  Conforms<PublicShareResponse, Wire.PublicShare>,
  Conforms<StorageStats, Wire.StorageStats>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/public-shares').unlockShare>>, Wire.ShareUnlocked>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/public-shares').downloadFromShare>>, Wire.ShareDownload>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/public-shares').shareLinks>>, Wire.FileLinks>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/shares').listShares>>, Wire.ShareList>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/files/shares').shareLog>>, Wire.ShareLog>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/uploads/drop-uploads').createDropUpload>>, Wire.CreatedGuestUpload>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/uploads/drop-uploads').listGuestUploads>>, Wire.GuestUploadList>,
  Conforms<Awaited<ReturnType<typeof import('../../../handlers/uploads/drop-uploads').guestUploadStatus>>, Wire.UploadStatus>,
];

describe('wire types', () => {
  it('a file view as the files API answers it has every field the wire type requires', () => {
    // Prepare
    const file: CatalogFile = {
      id: 'abc', key: 'media/trips/a.jpg', folder: '/trips', name: 'a.jpg', size: 3, contentType: 'image/jpeg', fileType: 'image',
      uploadedAt: '2026-01-01T00:00:00.000Z', uploadedBy: 'ann', tags: ['x'], sequencer: '1', status: 'available',
    };
    // Act
    const view: Wire.FileItem = toFileView(file, { sign: new ObjectUrls(() => 'https://s3/x'), ttlSeconds: 60, now: new Date(0) });
    // Assess
    const required: (keyof Wire.FileItem)[] = ['id', 'folder', 'name', 'size', 'contentType', 'fileType', 'uploadedAt', 'uploadedBy', 'tags', 'url', 'urlExpiresAt'];
    for (const key of required) expect(view[key]).toBeDefined();
  });
});
