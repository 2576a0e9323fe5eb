/**
 * The origin a page was asked on, for absolute URLs in it (a share page's `og:image`): the
 * viewer's host the site's CloudFront Function passes on (`VIEWER_HOST_HEADER`; CloudFront
 * sends the API its own `Host`), else `Host` (the API called directly, or the local stack),
 * with the scheme of `X-Forwarded-Proto` (API Gateway's; https when absent).
 *
 * A forged header changes only the answer to the one who forged it: share pages are never
 * cached. Anything that is not a plain host[:port] gives undefined (the page then has no picture).
 */
import { VIEWER_HOST_HEADER } from '../../contract/site';
import { headerValue } from './headers';

const HOST = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function pageOrigin(headers: Readonly<Record<string, string | undefined>> | undefined): string | undefined {
  const host = (headerValue(headers, VIEWER_HOST_HEADER) ?? headerValue(headers, 'host'))?.trim();
  const scheme = (headerValue(headers, 'x-forwarded-proto') ?? 'https').split(',')[0]?.trim().toLowerCase();
  if (host === undefined || host.length > 260 || !HOST.test(host) || (scheme !== 'https' && scheme !== 'http')) return undefined;
  return `${scheme}://${host.toLowerCase()}`;
}
