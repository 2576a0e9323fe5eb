/** The files function's routes: exactly `routesOf('files')` in contract/routes.ts. */
import { principal } from '../http/principal';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { assertFolderAllowed } from '../core/roles';
import { folderRoutes } from './folder-routes';
import type { FoldersDeps } from './folders';
import { listFiles, parseListQuery, type ListFilesDeps } from './list-files';

export function filesRoutes(deps: ListFilesDeps & FoldersDeps): RouteMap {
  return {
    ...folderRoutes(deps),
    'GET /files': async (event) => {
      const caller = principal(event);
      const query = parseListQuery(event.queryStringParameters);
      assertFolderAllowed(caller, query.folder, 'list');
      return json(200, await listFiles(query, deps));
    },
  };
}
