/** The folder routes the files function serves (merged into `filesRoutes`). */
import { requirePermission } from '../core/roles';
import { principal } from '../http/principal';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { ValidationError } from '../core/errors';
import { createFolder, deleteFolder, FolderNotEmpty, listFolders, parseCreateFolderRequest, parseFolderDeleteQuery, parseFolderListQuery, type FoldersDeps } from './folders';
import { startFolderDelete, type TrashJobsDeps } from './trash-jobs';

export function folderRoutes(deps: FoldersDeps & TrashJobsDeps): RouteMap {
  return {
    'POST /folders': async (event) => {
      const caller = principal(event);
      // Role first: a viewer learns nothing from validating a body they may not send.
      requirePermission(caller, 'write', 'create folders');
      const result = await createFolder(parseCreateFolderRequest(event.parsedBody), caller, deps);
      return json(result.created ? 201 : 200, result);
    },
    'GET /folders': async (event) => {
      const caller = principal(event);
      return json(200, await listFolders(parseFolderListQuery(event.queryStringParameters), caller, deps));
    },
    'DELETE /folders': async (event) => {
      const caller = principal(event);
      requirePermission(caller, 'write', 'delete folders');
      const recursive = event.queryStringParameters?.recursive;
      if (recursive !== undefined && recursive !== 'true' && recursive !== 'false') throw new ValidationError('recursive', 'must be true or false');
      const path = parseFolderDeleteQuery(event.queryStringParameters);
      try {
        await deleteFolder(path, caller, deps);
      } catch (error) {
        // A folder with files goes to the trash with everything in it, as a job, when asked to.
        if (!(error instanceof FolderNotEmpty) || recursive !== 'true') throw error;
        return json(202, await startFolderDelete(path, caller, deps));
      }
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    },
  };
}
