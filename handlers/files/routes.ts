/** The files function's routes: exactly `routesOf('files')` in contract/routes.ts (the public share routes are the shares function's). */
import type { ListCursors } from '../core/cursor';
import type { Logger } from '../core/logger';
import type { FileCatalog } from '../adapters/files-repository';
import type { JobStore } from '../adapters/jobs-repository';
import type { ObjectStore } from '../adapters/object-store';
import { principal } from '../http/principal';
import { json, noContent, redirect } from '../http/response';
import type { RouteMap } from '../http/types';
import { assertFolderAllowed } from '../core/roles';
import { folderRoutes } from './folder-routes';
import type { FoldersDeps } from './folders';
import { deleteFile } from './delete-file';
import { fileLinks, parseLinksRequest } from './file-links';
import { downloadUrl, getFile } from './get-file';
import { listFiles, parseListQuery } from './list-files';
import { getJob } from './get-job';
import { parseUpdateRequest, updateFile, type UpdateFileDeps } from './update-file';
import { parseShareRequest, type SharePolicy } from '../core/shares';
import type { ShareAccessLog } from '../adapters/share-access-log';
import type { SharesRepository } from '../adapters/shares-repository';
import type { UsersRepository } from '../adapters/users-repository';
import { createShare, listShares, revokeShare, shareLog } from './shares';
import { storageStats, type StorageStatsDeps } from './storage-stats';
import { filesExist, listDuplicates, parseExistsRequest, type DuplicatesDeps } from './duplicates';
import { parseTimelineQuery, timelineBuckets, timelinePage, type TimelineDeps } from './timeline';
import { entryFor, listTrash, parseTrashQuery, purgeEntry, restoreEntry, type TrashDeps } from './trash';
import { parseTrashJobRequest, startTrashJob, type TrashJobsDeps } from './trash-jobs';
import type { TrashJobStore } from '../adapters/trash-jobs-repository';
import { requirePermission } from '../core/roles';

export interface FilesDeps extends Pick<UpdateFileDeps, 'jobs' | 'jobInvoker' | 'moveJobThresholdBytes'>, Pick<StorageStatsDeps, 'usage'>, Pick<TimelineDeps, 'timeline'>, Pick<DuplicatesDeps, 'content'> {
  /** Seals and opens listing cursors (key derived from the cursor secret on first use). */
  readonly cursors: () => Promise<ListCursors>;
  readonly files: FileCatalog;
  readonly objects: ObjectStore;
  /** Copies a moved file's derived objects (thumbnails, posters, video copies). */
  readonly derivedObjects: UpdateFileDeps['derivedObjects'];
  readonly uploads: UpdateFileDeps['uploads'];
  readonly jobs: Pick<JobStore, 'create' | 'get'>;
  readonly trash: TrashDeps['trash'];
  readonly trashJobs: Pick<TrashJobStore, 'create' | 'get'>;
  readonly trashRetentionDays: number;
  readonly viewUrlTtlSeconds: number;
  readonly shares: SharesRepository;
  readonly accessLog: ShareAccessLog;
  readonly users: Pick<UsersRepository, 'getAccess'>;
  readonly sharePolicy: SharePolicy;
  /** @default the clock */
  readonly now?: () => Date;
}

export function filesRoutes(deps: FilesDeps & FoldersDeps & Omit<TrashJobsDeps, 'trashJobs'>): RouteMap {
  const withLogger = (logger: Logger) => ({ ...deps, logger });
  return {
    ...folderRoutes(deps),
    'GET /files': async (event) => {
      const caller = principal(event);
      const cursors = await deps.cursors();
      const query = parseListQuery(event.queryStringParameters, cursors, caller);
      // A folder listing outside the caller's folders is refused; type listings are filtered.
      if ('folder' in query) assertFolderAllowed(caller, query.folder, 'list');
      return json(200, await listFiles(query, cursors, caller, deps));
    },
    'POST /files/links': async (event) => {
      const caller = principal(event);
      return json(200, await fileLinks(parseLinksRequest(event.parsedBody), caller, deps));
    },
    'POST /files/exists': async (event) => json(200, await filesExist(parseExistsRequest(event.parsedBody), principal(event), deps)),
    'GET /files/duplicates': async (event, context) => json(200, await listDuplicates(principal(event), context.lambda.getRemainingTimeInMillis(), deps)),
    'GET /files/{id}': async (event) => json(200, await getFile(event.pathParameters?.id, principal(event), deps)),
    'GET /files/{id}/download': async (event) => redirect(await downloadUrl(event.pathParameters?.id, principal(event), deps)),
    'PATCH /files/{id}': async (event, context) => {
      const caller = principal(event);
      const result = await updateFile(event.pathParameters?.id, parseUpdateRequest(event.parsedBody), caller, withLogger(context.logger));
      // A large file's move runs as a job: 202 and where to follow it.
      return 'job' in result ? json(202, result) : json(200, result.file);
    },
    'DELETE /files/{id}': async (event, context) => {
      await deleteFile(event.pathParameters?.id, principal(event), withLogger(context.logger));
      return noContent();
    },
    'GET /jobs/{id}': async (event) => json(200, await getJob(event.pathParameters?.id, principal(event), deps)),
    'GET /trash': async (event) => json(200, await listTrash(parseTrashQuery(event.queryStringParameters), principal(event), deps)),
    'POST /trash/{id}/restore': async (event, context) => {
      const caller = principal(event);
      requirePermission(caller, 'write', 'restore files');
      return json(200, await restoreEntry(await entryFor(event.pathParameters?.id, caller, deps), caller, withLogger(context.logger)));
    },
    'DELETE /trash/{id}': async (event) => {
      const caller = principal(event);
      requirePermission(caller, 'write', 'delete files forever');
      await purgeEntry(await entryFor(event.pathParameters?.id, caller, deps), deps);
      return noContent();
    },
    'POST /trash/jobs': async (event) => {
      const caller = principal(event);
      requirePermission(caller, 'write', 'restore or delete files in the trash');
      return json(202, await startTrashJob(parseTrashJobRequest(event.parsedBody), caller, deps));
    },
    'GET /timeline/buckets': async (event) => json(200, await timelineBuckets(principal(event), deps)),
    'GET /timeline': async (event) => {
      const caller = principal(event);
      const cursors = await deps.cursors();
      return json(200, await timelinePage(parseTimelineQuery(event.queryStringParameters, cursors, caller), cursors, caller, deps));
    },
    'GET /stats/storage': async (event, context) => json(200, await storageStats(principal(event), context.lambda.getRemainingTimeInMillis(), deps)),
    'POST /shares': async (event) => {
      const caller = principal(event);
      const request = parseShareRequest(event.parsedBody, deps.sharePolicy, (deps.now ?? (() => new Date()))());
      return json(201, await createShare(request, caller, deps));
    },
    'GET /shares': async (event) => json(200, await listShares(principal(event), deps)),
    'DELETE /shares/{id}': async (event) => {
      await revokeShare(event.pathParameters?.id, principal(event), deps);
      return noContent();
    },
    'GET /shares/{id}/log': async (event) => json(200, await shareLog(event.pathParameters?.id, principal(event), deps)),
  };
}
