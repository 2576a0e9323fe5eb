import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import {
  S3UrlSigner,
  clearSigningKeyCache,
  encodeKeyPath,
  signingKey,
  type PresignInput,
  type SignerConfig,
  type SigningCredentials,
} from '../../../../handlers/core/presign';
import { referenceClient, referencePresign } from '../../../real-s3/sdk-reference';

const NOW = new Date('2024-05-06T07:08:09.123Z');
const STATIC: SigningCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const SESSION: SigningCredentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'c2VjcmV0/with+slash=',
  sessionToken: 'FwoGZXIvYXdzEJr//////////wEaDK+token/with=special&chars',
};
const LOCAL: SignerConfig = { region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true };
const AWS: SignerConfig = { region: 'eu-west-1' };
const TRICKY_KEY = "media/spain 2024/IMG 1+~!*'()%25 é😀 ?#&=;:@$,[]{}|^`\"<>\\/x//y.jpg";

async function expectSameAsSdk(config: SignerConfig, input: PresignInput, credentials: SigningCredentials) {
  const expected = await referencePresign(referenceClient(config, credentials), input);
  expect(new S3UrlSigner(config).presign(input, credentials)).toBe(expected);
  return expected;
}

const quiet = process.emitWarning;
beforeAll(() => {
  // The SDK warns once that Node 20 support ends in 2027; keep the test output clean.
  process.emitWarning = () => undefined;
});
afterAll(() => {
  process.emitWarning = quiet;
});

describe('S3UrlSigner', () => {
  describe('presign equals getSignedUrl', () => {
    const configs: [string, SignerConfig][] = [
      ['path-style local endpoint', LOCAL],
      ['virtual-hosted AWS endpoint', AWS],
    ];
    const credentialSets: [string, SigningCredentials][] = [
      ['static credentials', STATIC],
      ['a session token', SESSION],
    ];

    describe.each(configs)('on a %s', (_name, config) => {
      describe.each(credentialSets)('with %s', (_credName, credentials) => {
        it('signs GetObject', async () => {
          // Prepare
          const input: PresignInput = { operation: 'GetObject', bucket: 'media-bucket', key: TRICKY_KEY, expiresIn: 900, now: NOW };
          // Act
          const url = await expectSameAsSdk(config, input, credentials);
          // Assess
          expect(url).toContain('X-Amz-SignedHeaders=host&');
          expect(url).toContain('x-id=GetObject');
          expect(url.includes('X-Amz-Security-Token=')).toBe(credentials.sessionToken !== undefined);
        });

        it('signs GetObject with a response-content-disposition of non-ASCII and quotes', async () => {
          const name = 'Ünïcødé "quoted" \'single\' 😀 naïve;,.jpg';
          const disposition = `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_').replace(/"/g, '\\"')}"; filename*=UTF-8''${encodeURIComponent(name)}`;
          await expectSameAsSdk(
            config,
            { operation: 'GetObject', bucket: 'media-bucket', key: 'media/a/b.jpg', expiresIn: 300, now: NOW, query: { 'response-content-disposition': disposition } },
            credentials,
          );
          await expectSameAsSdk(
            config,
            { operation: 'GetObject', bucket: 'media-bucket', key: 'k', expiresIn: 300, now: NOW, query: { 'response-content-disposition': `inline; filename="${name}"`, 'response-content-type': 'image/jpeg', versionId: 'v1.2~3' } },
            credentials,
          );
        });

        it('signs PutObject with content-type, content-length and x-amz-meta-upload-id as headers', async () => {
          const url = await expectSameAsSdk(
            config,
            {
              operation: 'PutObject',
              bucket: 'media-bucket',
              key: 'media/spain2024/IMG 1.jpg',
              expiresIn: 3600,
              now: NOW,
              headers: { 'content-type': 'image/jpeg', 'content-length': '1048576', 'x-amz-meta-upload-id': 'q1w2e3r4t5y6u7i8o9p0aA' },
            },
            credentials,
          );
          expect(url).toContain('X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost%3Bx-amz-meta-upload-id&');
          expect(url).not.toContain('x-amz-meta-upload-id=');
        });

        it('signs PutObject with x-amz-checksum-sha256 and messy header whitespace', async () => {
          await expectSameAsSdk(
            config,
            {
              operation: 'PutObject',
              bucket: 'media-bucket',
              key: TRICKY_KEY,
              expiresIn: 60,
              now: NOW,
              headers: {
                'content-type': '  video/mp4;\t codecs="avc1"  ',
                'content-length': '0',
                'x-amz-checksum-sha256': '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=',
                'x-amz-meta-upload-id': 'a b',
              },
            },
            credentials,
          );
        });

        it('signs HeadObject', async () => {
          const url = await expectSameAsSdk(config, { operation: 'HeadObject', bucket: 'media-bucket', key: TRICKY_KEY, expiresIn: 1, now: NOW }, credentials);
          expect(url).not.toContain('x-id=');
        });

        it('signs UploadPart with partNumber and uploadId', async () => {
          await expectSameAsSdk(
            config,
            {
              operation: 'UploadPart',
              bucket: 'media-bucket',
              key: 'media/big file.mov',
              expiresIn: 604800,
              now: NOW,
              headers: { 'content-length': '5242880' },
              query: { partNumber: '10000', uploadId: '2~Zx_y.Z/+=ab%' },
            },
            credentials,
          );
        });

        it('signs UploadPart with the part\'s content-length and x-amz-checksum-sha256 kept as headers', async () => {
          const url = await expectSameAsSdk(
            config,
            {
              operation: 'UploadPart',
              bucket: 'media-bucket',
              key: 'media/big file.mov',
              expiresIn: 900,
              now: NOW,
              headers: { 'content-length': '8388608', 'x-amz-checksum-sha256': 'n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=' },
              query: { partNumber: '7', uploadId: 'VXBsb2FkIElE.x-y_z' },
            },
            credentials,
          );
          expect(url).toContain('X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-sha256&');
          expect(url).not.toContain('x-amz-checksum-sha256=');
        });
      });
    });

    it.each([
      ['us-east-1', 'media-bucket'],
      ['ap-southeast-2', 'media-bucket'],
      ['cn-north-1', 'media-bucket'],
      ['us-gov-west-1', 'media-bucket'],
      ['eu-central-2', 'my.dotted.bucket'],
      ['us-east-1', 'Upper-Case'],
      ['us-east-1', 'under_score'],
      ['us-east-1', 'ab'],
      ['us-east-1', '192.168.1.1'],
      ['us-east-1', 'a'.repeat(63)],
      ['us-east-1', 'a'.repeat(64)],
      ['us-east-1', '-dash'],
    ])('addresses region %s bucket %s like the SDK', async (region, bucket) => {
      await expectSameAsSdk({ region }, { operation: 'GetObject', bucket, key: 'k/x y', expiresIn: 60, now: NOW }, STATIC);
      await expectSameAsSdk({ region, forcePathStyle: true }, { operation: 'PutObject', bucket, key: 'k', expiresIn: 60, now: NOW, headers: { 'content-length': '1' } }, STATIC);
    });

    it.each([
      'https://s3.example.com',
      'https://S3.Example.com:8443',
      'http://localhost:4569',
      'http://127.0.0.1:80',
      'https://s3.example.com:443',
      'http://[::1]:9000',
      'https://s3.example.com/prefix',
      'https://s3.example.com/prefix/',
      'http://s3.example.com',
    ])('addresses custom endpoint %s like the SDK', async (endpoint) => {
      for (const bucket of ['media-bucket', 'my.bucket']) {
        for (const forcePathStyle of [undefined, true, false]) {
          await expectSameAsSdk({ region: 'us-east-1', endpoint, forcePathStyle }, { operation: 'GetObject', bucket, key: 'a b/c', expiresIn: 60, now: NOW }, STATIC);
        }
      }
    });

    it.each(['', '/', '/leading', 'trailing/', '//', 'a/./b', 'a/../b', '.', '..', ' ', '%2F', '\u0000ctl\u007f', 'ﬁ NFD é vs é'])(
      'keeps key %j exactly as the SDK does',
      async (key) => {
        await expectSameAsSdk(LOCAL, { operation: 'GetObject', bucket: 'media-bucket', key, expiresIn: 60, now: NOW }, STATIC);
        await expectSameAsSdk(AWS, { operation: 'PutObject', bucket: 'media-bucket', key, expiresIn: 60, now: NOW }, SESSION);
      },
    );

    it('matches for random keys, expiries, dates, operations and headers', async () => {
      const keyChar = fc.oneof(
        fc.constantFrom(...Array.from('abcXYZ019 -_.~/+!*\'()%&=?#;:@$,[]{}|^`"<>\\é😀\t')),
        fc.string({ unit: 'grapheme', maxLength: 1 }),
      );
      const key = fc.oneof(
        fc.array(keyChar, { maxLength: 40 }).map((chars) => chars.join('')),
        fc.string({ unit: 'grapheme', minLength: 200, maxLength: 1024 }),
      );
      const input = fc.record({
        operation: fc.constantFrom<PresignInput['operation']>('GetObject', 'PutObject', 'HeadObject', 'UploadPart'),
        key,
        expiresIn: fc.integer({ min: 1, max: 604800 }),
        now: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-12-31T23:59:59Z'), noInvalidDate: true }),
        contentType: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
        size: fc.option(fc.nat({ max: 5 * 1024 ** 4 }), { nil: undefined }),
        disposition: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: undefined }),
        partNumber: fc.integer({ min: 1, max: 10000 }),
        token: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: undefined }),
        local: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(input, async (p) => {
          const headers: Record<string, string> = {};
          const query: Record<string, string> = {};
          if (p.operation === 'PutObject' && p.contentType !== undefined) headers['content-type'] = p.contentType;
          if ((p.operation === 'PutObject' || p.operation === 'UploadPart') && p.size !== undefined) headers['content-length'] = String(p.size);
          if (p.operation === 'PutObject') headers['x-amz-meta-upload-id'] = 'id-' + p.partNumber;
          if (p.operation === 'GetObject' && p.disposition !== undefined) query['response-content-disposition'] = p.disposition;
          if (p.operation === 'UploadPart') Object.assign(query, { partNumber: String(p.partNumber), uploadId: `u/${p.partNumber}+=` });
          const credentials = p.token === undefined ? STATIC : { ...SESSION, sessionToken: p.token };
          await expectSameAsSdk(
            p.local ? LOCAL : AWS,
            { operation: p.operation, bucket: 'media-bucket', key: p.key, expiresIn: p.expiresIn, now: p.now, headers, query },
            credentials,
          );
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('signing-key cache', () => {
    it('gives correct URLs across a date change and a credential change', async () => {
      // Prepare
      clearSigningKeyCache();
      const signer = new S3UrlSigner(LOCAL);
      const other: SigningCredentials = { accessKeyId: 'AKIDOTHER', secretAccessKey: 'another-secret' };
      const sequence: [Date, SigningCredentials][] = [
        [new Date('2024-05-06T23:59:59.999Z'), STATIC],
        [new Date('2024-05-07T00:00:00.000Z'), STATIC],
        [new Date('2024-05-07T00:00:00.500Z'), other],
        [new Date('2024-05-07T00:00:00.900Z'), STATIC],
        [new Date('2024-05-06T12:00:00.000Z'), other],
        [new Date('2024-05-06T12:00:00.000Z'), { ...other, secretAccessKey: 'rotated-secret' }],
      ];
      // Act + Assess
      for (const [now, credentials] of sequence) {
        const input: PresignInput = { operation: 'GetObject', bucket: 'b-1', key: 'k', expiresIn: 60, now };
        const expected = await referencePresign(referenceClient(LOCAL, credentials), input);
        expect(signer.presign(input, credentials)).toBe(expected);
      }
    });

    it('derives the documented SigV4 key and reuses it', () => {
      const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
      const expected = hmac(hmac(hmac(hmac('AWS4secret', '20240506'), 'us-east-1'), 's3'), 'aws4_request');
      const first = signingKey('secret', '20240506', 'us-east-1', 's3');
      expect(first.equals(expected)).toBe(true);
      expect(signingKey('secret', '20240506', 'us-east-1', 's3')).toBe(first);
      expect(signingKey('secret', '20240507', 'us-east-1', 's3').equals(first)).toBe(false);
      expect(signingKey('secret', '20240506', 'eu-west-1', 's3').equals(first)).toBe(false);
    });
  });

  describe('presign', () => {
    const signer = new S3UrlSigner(LOCAL);
    const base: PresignInput = { operation: 'GetObject', bucket: 'b-1', key: 'k', expiresIn: 60, now: NOW };

    it.each([0, -1, 1.5, 604801, Number.NaN])('throws when expiresIn is %p', (expiresIn) => {
      expect(() => signer.presign({ ...base, expiresIn }, STATIC)).toThrow(RangeError);
    });

    it.each(['Content-Type', 'host', 'authorization', 'x-amz-date', 'bad name'])('throws when a header is named %j', (name) => {
      expect(() => signer.presign({ ...base, operation: 'PutObject', headers: { [name]: 'x' } }, STATIC)).toThrow(/header name/);
    });

    it.each(['X-Amz-Signature', 'x-amz-expires', 'x-id'])('throws when the query sets the reserved %j', (name) => {
      expect(() => signer.presign({ ...base, query: { [name]: 'x' } }, STATIC)).toThrow(/reserved/);
    });

    it.each([
      ['content-type', ''],
      ['content-length', ''],
      ['content-length', '-1'],
      ['content-length', '01'],
      ['content-length', '1e3'],
    ])('throws when %s is %j', (name, value) => {
      expect(() => signer.presign({ ...base, operation: 'PutObject', headers: { [name]: value } }, STATIC)).toThrow(name);
    });

    it('throws when the signing date is invalid', () => {
      expect(() => signer.presign({ ...base, now: new Date(Number.NaN) }, STATIC)).toThrow(RangeError);
    });

    it('throws on a key with a lone surrogate, as encodeURIComponent does', () => {
      expect(() => signer.presign({ ...base, key: 'a\ud800' }, STATIC)).toThrow(URIError);
    });
  });

  describe('encodeKeyPath', () => {
    it('encodes each segment and keeps slashes', () => {
      expect(encodeKeyPath("a b/c+d/~e!*'()/%2F")).toBe('a%20b/c%2Bd/~e%21%2A%27%28%29/%252F');
    });
  });
});
