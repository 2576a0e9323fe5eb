/** The origin a page was asked on (handlers/http/page-origin.ts), for a share page's absolute og:image URL. */
import { pageOrigin } from '../../../../handlers/http/page-origin';
import { VIEWER_HOST_HEADER } from '../../../../contract/site';

describe('pageOrigin', () => {
  it('prefers the viewer\'s host the site passes on over the API\'s own Host', () => {
    expect(pageOrigin({ host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https', [VIEWER_HOST_HEADER]: 'photos.example.org' })).toBe('https://photos.example.org');
    expect(pageOrigin({ host: 'localhost:3000', 'x-forwarded-proto': 'http' })).toBe('http://localhost:3000');
    expect(pageOrigin({ host: '[::1]:3000', 'x-forwarded-proto': 'http' })).toBe('http://[::1]:3000');
    expect(pageOrigin({ host: 'd111111abcdef8.cloudfront.net' })).toBe('https://d111111abcdef8.cloudfront.net');
  });

  it('gives nothing for a host that is not a plain host[:port], or another scheme', () => {
    for (const host of ['evil.example/x', 'a b', 'evil.example"><script>', 'user@evil.example', '']) expect(pageOrigin({ host })).toBeUndefined();
    expect(pageOrigin({ host: 'photos.example.org', 'x-forwarded-proto': 'javascript' })).toBeUndefined();
    expect(pageOrigin({})).toBeUndefined();
  });
});
