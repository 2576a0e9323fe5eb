/**
 * The local emulators' SigV4 verifier (local/sigv4.ts): it accepts what AWS's own examples
 * sign and what the project's and the SDK's signers produce, and refuses a wrong secret, a
 * foreign key id, a tampered body, host, path or query, a stale date and an expired URL.
 */
import { S3UrlSigner } from '../../../handlers/core/presign';
import { generateLocalCredentials, hostRefusal, MAX_SKEW_MS, signRequestHeaders, verifySigV4, type LocalCredentials, type ReceivedRequest } from '../../../local/sigv4';

/** The key pair of AWS's SigV4 test suite (get-vanilla). */
const SUITE: LocalCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
/** The key pair of the S3 documentation's signing examples. */
const S3_DOCS: LocalCredentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

const local = generateLocalCredentials();
const other = generateLocalCredentials();
const ENDPOINT = 'http://127.0.0.1:4567';

/** A request as the emulator would receive it, signed in its headers by the SDK's signer. */
async function signedInvoke(body: string, credentials = local, headers: Record<string, string> = {}): Promise<ReceivedRequest> {
  const url = `${ENDPOINT}/2015-03-31/functions/media-store-auth/invocations`;
  const sent = { 'content-type': 'application/json', ...headers };
  const signature = await signRequestHeaders({ method: 'POST', url, headers: sent, body }, { credentials, region: 'us-east-1', service: 'lambda' });
  return { method: 'POST', url: new URL(url).pathname, headers: { ...sent, ...signature }, body: Buffer.from(body) };
}

const lambda = { credentials: local, region: 'us-east-1', service: 'lambda' } as const;

describe('verifySigV4', () => {
  describe('header-signed requests', () => {
    it("accepts AWS's get-vanilla test vector", async () => {
      const request: ReceivedRequest = {
        method: 'GET',
        url: '/',
        headers: {
          host: 'example.amazonaws.com',
          'x-amz-date': '20150830T123600Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
        },
        body: new Uint8Array(),
      };

      const refusal = await verifySigV4(request, { credentials: SUITE, region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z') });

      expect(refusal).toBeUndefined();
    });

    it("accepts the S3 documentation's signed GetObject", async () => {
      const request: ReceivedRequest = {
        method: 'GET',
        url: '/test.txt',
        headers: {
          host: 'examplebucket.s3.amazonaws.com',
          range: 'bytes=0-9',
          'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          'x-amz-date': '20130524T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        },
      };

      expect(await verifySigV4(request, { credentials: S3_DOCS, region: 'us-east-1', service: 's3', now: new Date('2013-05-24T00:01:00Z') })).toBeUndefined();
    });

    it('accepts a request the SDK signer signed with the stack key pair, body included', async () => {
      expect(await verifySigV4(await signedInvoke('{"a":1}'), lambda)).toBeUndefined();
    });

    it('refuses a request signed with another secret', async () => {
      const forged = await signedInvoke('{"a":1}', { accessKeyId: local.accessKeyId, secretAccessKey: other.secretAccessKey });

      expect(await verifySigV4(forged, lambda)).toMatchObject({ status: 403, code: 'InvalidSignatureException' });
    });

    it("refuses a request signed with another key pair, naming the key id as unknown", async () => {
      expect(await verifySigV4(await signedInvoke('{"a":1}', other), lambda)).toMatchObject({ status: 403, code: 'UnrecognizedClientException' });
    });

    it('refuses a signed request whose body was changed', async () => {
      const request = await signedInvoke('{"role":"viewer"}');

      const refusal = await verifySigV4({ ...request, body: Buffer.from('{"role":"admin"}') }, lambda);

      expect(refusal).toMatchObject({ status: 403, code: 'InvalidSignatureException' });
    });

    it('refuses a signed request whose body does not match the x-amz-content-sha256 it declares', async () => {
      const request = await signedInvoke('{"role":"viewer"}', local, { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });

      expect(await verifySigV4(request, lambda)).toMatchObject({ status: 403 });
    });

    it('refuses a signed request sent to another host', async () => {
      const request = await signedInvoke('{}');

      const refusal = await verifySigV4({ ...request, headers: { ...request.headers, host: 'rebound.example:4567' } }, lambda);

      expect(refusal).toMatchObject({ status: 403, code: 'InvalidSignatureException' });
    });

    it('refuses a signed request replayed on another path', async () => {
      const request = await signedInvoke('{}');

      expect(await verifySigV4({ ...request, url: '/2015-03-31/functions/media-store-files/invocations' }, lambda)).toMatchObject({ status: 403 });
    });

    it('refuses a request signed for another service or region', async () => {
      const request = await signedInvoke('{}');

      expect(await verifySigV4(request, { ...lambda, service: 'secretsmanager' })).toMatchObject({ status: 403, message: expect.stringContaining('service secretsmanager') });
      expect(await verifySigV4(request, { ...lambda, region: 'eu-west-1' })).toMatchObject({ status: 403, message: expect.stringContaining('region eu-west-1') });
    });

    it('refuses a request signed more than five minutes away from now', async () => {
      const request = await signedInvoke('{}');

      expect(await verifySigV4(request, { ...lambda, now: new Date(Date.now() + MAX_SKEW_MS + 5000) })).toMatchObject({ status: 403, message: expect.stringContaining('Signature expired') });
      expect(await verifySigV4(request, { ...lambda, now: new Date(Date.now() - MAX_SKEW_MS - 5000) })).toMatchObject({ status: 403 });
    });

    it('refuses an unsigned request and a malformed Authorization', async () => {
      expect(await verifySigV4({ method: 'POST', url: '/', headers: { host: '127.0.0.1:4567' }, body: Buffer.from('{}') }, lambda)).toMatchObject({
        status: 403,
        code: 'MissingAuthenticationTokenException',
      });
      expect(await verifySigV4({ method: 'POST', url: '/', headers: { host: '127.0.0.1:4567', authorization: 'Bearer x' }, body: Buffer.from('{}') }, lambda)).toMatchObject({
        status: 400,
        code: 'IncompleteSignatureException',
      });
    });
  });

  describe('presigned URLs', () => {
    it("accepts the S3 documentation's presigned GetObject within its day, refuses it after", async () => {
      const request: ReceivedRequest = {
        method: 'GET',
        url:
          '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
        headers: { host: 'examplebucket.s3.amazonaws.com' },
      };
      const s3 = { credentials: S3_DOCS, region: 'us-east-1', service: 's3' } as const;

      expect(await verifySigV4(request, { ...s3, now: new Date('2013-05-24T12:00:00Z') })).toBeUndefined();
      expect(await verifySigV4(request, { ...s3, now: new Date('2013-05-25T00:00:01Z') })).toMatchObject({ status: 403, code: 'AccessDenied', message: 'Request has expired' });
    });

    const signer = new S3UrlSigner({ region: 'us-east-1', endpoint: ENDPOINT, forcePathStyle: true });
    const presigned = (credentials: LocalCredentials, key = 'media/IMG (1) é.jpg'): ReceivedRequest => {
      const url = new URL(signer.presign({ operation: 'PutObject', bucket: 'media', key, expiresIn: 300, headers: { 'content-type': 'image/jpeg' } }, credentials));
      return { method: 'PUT', url: `${url.pathname}${url.search}`, headers: { host: url.host, 'content-type': 'image/jpeg' } };
    };
    const s3 = { credentials: local, region: 'us-east-1', service: 's3' } as const;

    it("accepts a URL of the project's own presigner (handlers/core/presign.ts), signed headers included", async () => {
      expect(await verifySigV4(presigned(local), s3)).toBeUndefined();
    });

    it('refuses that URL signed with another secret, or sent with another signed header value', async () => {
      const good = presigned(local);

      expect(await verifySigV4(presigned({ accessKeyId: local.accessKeyId, secretAccessKey: other.secretAccessKey }), s3)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
      expect(await verifySigV4({ ...good, headers: { ...good.headers, 'content-type': 'text/html' } }, s3)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    });

    it('refuses that URL for another key or another host', async () => {
      const good = presigned(local, 'media/a.jpg');

      expect(await verifySigV4({ ...good, url: (good.url as string).replace('/a.jpg', '/b.jpg') }, s3)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
      expect(await verifySigV4({ ...good, headers: { ...good.headers, host: 'evil.example:4567' } }, s3)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    });

    it('refuses a URL whose query was changed (a longer expiry)', async () => {
      const good = presigned(local);

      expect(await verifySigV4({ ...good, url: (good.url as string).replace('X-Amz-Expires=300', 'X-Amz-Expires=600') }, s3)).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    });

    it("refuses a URL of another key pair as an unknown key id", async () => {
      expect(await verifySigV4(presigned(other), s3)).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    });
  });
});

describe('hostRefusal', () => {
  it("accepts the emulator's own loopback names and port", () => {
    expect(hostRefusal('127.0.0.1:4567', 4567)).toBeUndefined();
    expect(hostRefusal('localhost:4567', 4567)).toBeUndefined();
  });

  it('refuses another name (DNS rebinding), another port or none with 421', () => {
    expect(hostRefusal('attacker.example:4567', 4567)).toMatchObject({ status: 421 });
    expect(hostRefusal('127.0.0.1:3000', 4567)).toMatchObject({ status: 421 });
    expect(hostRefusal(undefined, 4567)).toMatchObject({ status: 421 });
  });
});

describe('generateLocalCredentials', () => {
  it('makes a different key pair every time', () => {
    const [a, b] = [generateLocalCredentials(), generateLocalCredentials()];

    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect(a.secretAccessKey).not.toBe(b.secretAccessKey);
    expect(a.secretAccessKey.length).toBeGreaterThanOrEqual(40);
  });
});
