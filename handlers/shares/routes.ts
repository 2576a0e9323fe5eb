/**
 * The shares function's routes: exactly `routesOf('shares')` in contract/routes.ts, the
 * anonymous view-share routes and share pages (share-page.ts). They run in a function of their own whose role reads shares,
 * signs object GETs and counts password attempts, and can read no token or cursor key: an
 * anonymous request never runs where an admin token could be minted.
 */
import type { Logger } from '../core/logger';
import { json } from '../http/response';
import type { RouteMap } from '../http/types';
import {
  downloadFromShare,
  parsePublicLinksRequest,
  parsePublicListQuery,
  parseUnlockRequest,
  shareLinks,
  unlockShare,
  viewShare,
  type PublicSharesDeps,
} from '../files/public-shares';
import { clientAddress } from '../http/source-address';
import { pageOrigin } from '../http/page-origin';
import { sharePage, sharePreviewImage, type SharePageDeps } from './share-page';

export function publicShareRoutes(deps: PublicSharesDeps & Pick<SharePageDeps, 'appShell'>): RouteMap {
  const withLogger = (logger: Logger) => ({ ...deps, logger });
  return {
    'GET /s/{token}': async (event) => sharePage(event.pathParameters?.token, deps, pageOrigin(event.headers)),
    'GET /s/{token}/preview': async (event) => sharePreviewImage(event.pathParameters?.token, deps),
    'GET /public/shares/{token}': async (event) => {
      const query = parsePublicListQuery(event.queryStringParameters);
      return json(200, await viewShare({ token: event.pathParameters?.token, ip: clientAddress(event), event }, query, deps));
    },
    'POST /public/shares/{token}/unlock': async (event, context) => {
      const password = parseUnlockRequest(event.parsedBody);
      return json(200, await unlockShare({ token: event.pathParameters?.token, ip: clientAddress(event), event }, password, withLogger(context.logger)));
    },
    'GET /public/shares/{token}/files/{id}/download': async (event) =>
      json(200, await downloadFromShare({ token: event.pathParameters?.token, ip: clientAddress(event), event }, event.pathParameters?.id, deps)),
    'POST /public/shares/{token}/links': async (event) =>
      json(200, await shareLinks({ token: event.pathParameters?.token, ip: clientAddress(event), event }, parsePublicLinksRequest(event.parsedBody), deps)),
  };
}
