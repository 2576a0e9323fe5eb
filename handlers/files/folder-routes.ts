/** The folder routes the files function serves (merged into `filesRoutes`). */
import { requirePermission } from '../core/roles';
import { principal } from '../http/principal';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { createFolder, deleteFolder, listFolders, parseCreateFolderRequest, parseFolderDeleteQuery, parseFolderListQuery, type FoldersDeps } from './folders';

export function folderRoutes(deps: FoldersDeps): RouteMap {
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
      await deleteFolder(parseFolderDeleteQuery(event.queryStringParameters), caller, deps);
      return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    },
  };
}
