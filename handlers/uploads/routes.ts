/** The uploads function's routes: exactly `routesOf('uploads')` in contract/routes.ts. */
import { canUpload } from '../core/roles';
import { principal, requireRole } from '../http/principal';
import { json } from '../http/response';
import type { ApiResult, RouteMap } from '../http/types';
import { abortUpload, type AbortUploadDeps } from './abort-upload';
import { completeUpload, parseCompleteRequest, type CompleteUploadDeps } from './complete-upload';
import { createBatchUploads, parseBatchRequest } from './batch-uploads';
import { createUpload, parseUploadRequest, type CreateUploadDeps, type UploadLimits } from './create-upload';
import { parseSignPartsRequest, signParts, type SignPartsDeps } from './sign-parts';
import { uploadStatus, type UploadStatusDeps } from './upload-status';
import { abortGuestUpload, completeGuestUpload, createDropUpload, guestUploadStatus, listGuestUploads, signGuestParts, type DropUploadsDeps } from './drop-uploads';

export type UploadsRoutesDeps = CreateUploadDeps & UploadLimits & SignPartsDeps & UploadStatusDeps & CompleteUploadDeps & AbortUploadDeps & DropUploadsDeps;

const noContent = (): ApiResult => ({ statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' });

export function uploadsRoutes(deps: UploadsRoutesDeps): RouteMap {
  return {
    'POST /uploads': async (event) => {
      const caller = principal(event);
      // Role first: a viewer learns nothing from validating a body they may not send.
      requireRole(caller, canUpload, 'upload files');
      const request = parseUploadRequest(event.parsedBody, deps);
      return json(201, await createUpload(request, caller, deps));
    },
    'POST /uploads/batch': async (event) => {
      const caller = principal(event);
      requireRole(caller, canUpload, 'upload files');
      const result = await createBatchUploads(parseBatchRequest(event.parsedBody), caller, deps);
      return json(result.failed === 0 ? 201 : 207, result);
    },
    'GET /uploads/{uploadId}': async (event) => json(200, await uploadStatus(event.pathParameters?.uploadId, principal(event), deps)),
    'DELETE /uploads/{uploadId}': async (event) => {
      await abortUpload(event.pathParameters?.uploadId, principal(event), deps);
      return noContent();
    },
    'POST /uploads/{uploadId}/parts': async (event) => {
      const caller = principal(event);
      requireRole(caller, canUpload, 'upload files');
      const request = parseSignPartsRequest(event.parsedBody);
      return json(200, await signParts(event.pathParameters?.uploadId, request, caller, deps));
    },
    'POST /uploads/{uploadId}/complete': async (event, context) => {
      const caller = principal(event);
      requireRole(caller, canUpload, 'upload files');
      const request = parseCompleteRequest(event.parsedBody);
      return json(200, await completeUpload(event.pathParameters?.uploadId, request, caller, { ...deps, logger: context.logger }));
    },
    'POST /public/shares/{token}/uploads': async (event) => json(201, await createDropUpload(event, deps)),
    'GET /public/shares/{token}/uploads': async (event) => json(200, await listGuestUploads(event, deps)),
    'GET /public/shares/{token}/uploads/{uploadId}': async (event) => json(200, await guestUploadStatus(event, deps)),
    'POST /public/shares/{token}/uploads/{uploadId}/parts': async (event) => json(200, await signGuestParts(event, deps)),
    'POST /public/shares/{token}/uploads/{uploadId}/complete': async (event, context) => json(200, await completeGuestUpload(event, deps, context.logger)),
    'DELETE /public/shares/{token}/uploads/{uploadId}': async (event) => {
      await abortGuestUpload(event, deps);
      return noContent();
    },
  };
}
