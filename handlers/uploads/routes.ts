/** The uploads function's routes: exactly `routesOf('uploads')` in contract/routes.ts. */
import { canUpload } from '../core/roles';
import { principal, requireRole } from '../http/principal';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import { createUpload, parseUploadRequest, type CreateUploadDeps, type UploadLimits } from './create-upload';

export function uploadsRoutes(deps: CreateUploadDeps & UploadLimits): RouteMap {
  return {
    'POST /uploads': async (event) => {
      const caller = principal(event);
      // Role first: a viewer learns nothing from validating a body they may not send.
      requireRole(caller, canUpload, 'upload files');
      const request = parseUploadRequest(event.parsedBody, deps);
      return json(201, await createUpload(request, caller, deps));
    },
  };
}
