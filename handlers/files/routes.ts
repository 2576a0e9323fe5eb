/** The files function's routes: exactly `routesOf('files')` in contract/routes.ts. */
import { principal } from '../http/principal';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { listFiles, parseListQuery, type ListFilesDeps } from './list-files';

export function filesRoutes(deps: ListFilesDeps): RouteMap {
  return {
    'GET /files': async (event) => {
      principal(event);
      return json(200, await listFiles(parseListQuery(event.queryStringParameters), deps));
    },
  };
}
