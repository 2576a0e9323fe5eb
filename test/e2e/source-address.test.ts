/**
 * The caller's address behind the site's CloudFront (handlers/http/source-address.ts), over
 * HTTP on the local stack, which emulates the distribution as the plan wires it: under `/api`
 * a request reaches the API from the edge (this server's own address) with the viewer's
 * `CloudFront-Viewer-Address` and the origin secret from Secrets Manager; without the prefix it
 * is a direct call. Observed through the share access log, which keeps each visitor's /24.
 *
 * Visitors connect from 127.0.1.9 (any 127/8 address is this machine), so the viewer's /24
 * (127.0.1.0/24) differs from the edge's (127.0.0.0/24).
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { ORIGIN_VERIFY_HEADER } from '../../contract/site';
import type { ShareLog } from '../../contract/wire';
import { e2eContext, secretsManager } from './support/context';
import { api, login } from './support/http';

jest.setTimeout(120_000);

const VISITOR_ADDRESS = '127.0.1.9';
const VISITOR_NET = '127.0.1.0/24';
const EDGE_NET = '127.0.0.0/24';
const FORGED_VIEWER = '203.0.113.7:443';

/** A GET from VISITOR_ADDRESS, straight to the API or (`viaSite`) through the emulated CloudFront. */
function visit(path: string, headers: Record<string, string>, viaSite: boolean): Promise<number> {
  const url = new URL(`${e2eContext().apiUrl}${viaSite ? '/api' : ''}${path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'GET', headers, localAddress: VISITOR_ADDRESS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the source address behind CloudFront', () => {
  const context = e2eContext();
  let editor: string;
  let originSecret: string;

  /** A new folder share, opened once by `open`, and the /24 its access log recorded. */
  const loggedAddress = async (open: (path: string) => Promise<number>): Promise<string[]> => {
    const folder = `/edge-${randomBytes(4).toString('hex')}`;
    expect((await api('/folders', { token: editor, json: { path: folder } })).status).toBeLessThan(300);
    const created = await api<{ token: string; share: { id: string } }>('/shares', { token: editor, json: { folder, expires: 120 } });
    expect(created.status).toBe(201);
    expect(await open(`/public/shares/${created.body.token}`)).toBe(200);
    const log = await api<ShareLog>(`/shares/${created.body.share.id}/log`, { token: editor });
    return log.body.entries.map((e) => e.ip);
  };

  beforeAll(async () => {
    editor = await login(context.editor);
    if (context.originSecretArn === undefined) throw new Error('the e2e stack has no origin secret: the plan should declare aws_secretsmanager_secret.origin_verify');
    const client = secretsManager(context);
    try {
      originSecret = (await client.send(new GetSecretValueCommand({ SecretId: context.originSecretArn, VersionStage: 'AWSCURRENT' }))).SecretString as string;
    } finally {
      client.destroy();
    }
  });

  it('logs the viewer\'s address, not the edge\'s, for a visit through the site', async () => {
    const logged = await loggedAddress((path) => visit(path, {}, true));
    expect(logged).toEqual([VISITOR_NET]);
    expect(logged).not.toContain(EDGE_NET);
  });

  it('ignores a forged CloudFront-Viewer-Address sent straight to the API without the origin secret', async () => {
    expect(await loggedAddress((path) => visit(path, { 'cloudfront-viewer-address': FORGED_VIEWER }, false))).toEqual([VISITOR_NET]);
  });

  it('ignores a forged CloudFront-Viewer-Address sent with a wrong origin secret', async () => {
    const wrong = { 'cloudfront-viewer-address': FORGED_VIEWER, [ORIGIN_VERIFY_HEADER]: `${originSecret}x` };
    expect(await loggedAddress((path) => visit(path, wrong, false))).toEqual([VISITOR_NET]);
  });

  it('lets the site\'s CloudFront replace a viewer\'s forged address and forged secret with its own', async () => {
    const forged = { 'cloudfront-viewer-address': FORGED_VIEWER, [ORIGIN_VERIFY_HEADER]: 'guess' };
    expect(await loggedAddress((path) => visit(path, forged, true))).toEqual([VISITOR_NET]);
  });

  it('believes CloudFront-Viewer-Address only together with the origin secret from Secrets Manager', async () => {
    const withSecret = { 'cloudfront-viewer-address': FORGED_VIEWER, [ORIGIN_VERIFY_HEADER]: originSecret };
    expect(await loggedAddress((path) => visit(path, withSecret, false))).toEqual(['203.0.113.0/24']);
  });
});
