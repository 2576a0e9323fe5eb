/**
 * Multipart uploads on the local S3 as AWS S3 behaves, where s3rver 3.7 falls short:
 *
 * - ListParts (`GET ?uploadId`) and AbortMultipartUpload (`DELETE ?uploadId`): s3rver answers
 *   405 to both. Served here, with pagination (`max-parts`, `part-number-marker`).
 * - CreateMultipartUpload: s3rver keeps the request's `x-amz-checksum-algorithm` but does not
 *   answer it; here the response carries it, as S3's does.
 * - UploadPart: s3rver accepts parts for unknown uploads and overwrites a part in place. Here an
 *   unknown upload is NoSuchUpload; a part's `x-amz-checksum-crc32c` or `x-amz-checksum-sha256`
 *   (the algorithms of contract/multipart.ts `PART_CHECKSUM_ALGORITHMS`) is checked against the
 *   body (BadDigest, the previous part kept); a checksum on an upload created without
 *   `x-amz-checksum-algorithm`, none on one created with one, or one of another algorithm is
 *   InvalidRequest, as S3 says. An accepted part's checksum is answered in its header, as S3
 *   does: the SDK's `UploadPart` output (`ChecksumCRC32C`, `ChecksumSHA256`) is what
 *   lib-storage's `Upload` completes with.
 * - CompleteMultipartUpload: s3rver concatenates whatever it is given. Here, as S3: NoSuchUpload,
 *   InvalidPartOrder, InvalidPart (unknown part or other ETag or checksum), EntityTooSmall
 *   (a part but the last under 5 MiB), InvalidRequest (a checksummed upload without part checksums).
 * - PutObject with `x-amz-checksum-sha256` (or `-crc32c`): the body is checked before it replaces anything.
 * - `If-None-Match: *` on PutObject and CompleteMultipartUpload (S3's conditional writes):
 *   412 PreconditionFailed when the key exists; s3rver ignores the header.
 *
 * CreateMultipartUpload, UploadPart and PutObject stay in s3rver (its CORS handling answers
 * browsers), the headers above added to its response; the other two requests and the completion
 * are answered here, before s3rver sees them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type S3rver from 's3rver';
import { Crc32c } from '../contract/crc32c';
import { checksumHeader, isPartChecksumAlgorithm, PART_CHECKSUM_ALGORITHMS, type PartChecksumAlgorithm } from '../contract/multipart';

/** S3's smallest part, except the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS_PER_LIST = 1000;

type S3ErrorClass = new (code: string, message: string, detail?: Record<string, string>) => Error & { status: number; toXML(): string };
const S3Error = createRequire(require.resolve('s3rver'))('./models/error') as S3ErrorClass;

interface FilesystemStore {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  initiateUpload(bucket: string, key: string, uploadId: string, metadata: Record<string, string | string[] | undefined>): Promise<void>;
  putPart(bucket: string, uploadId: string, partNumber: string | number, content: Readable): Promise<{ size: number; md5: string }>;
  putObject(object: { bucket: string; key: string; content: Readable | Buffer }): Promise<{ size: number; md5: string }>;
  putObjectMultipart(bucket: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<{ size: number; md5: string }>;
}

const PRECONDITION_FAILED = 'At least one of the pre-conditions you specified did not hold';
const NO_SUCH_UPLOAD = 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.';
const badDigest = (algorithm: string): string => `The ${algorithm} you specified did not match the calculated checksum.`;
const INVALID_PART = 'One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.';

interface MultipartEmulation {
  /**
   * Answers ListParts, AbortMultipartUpload and CompleteMultipartUpload; false for any other
   * request, whose response (s3rver's) then gets S3's checksum headers where due.
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean;
}

/**
 * Installs the checks on s3rver's store and returns the handler of the requests s3rver lacks.
 * `currentRequest` names the request being served (the caller's AsyncLocalStorage).
 */
export function emulateMultipart(s3rver: S3rver, currentRequest: () => IncomingMessage | undefined): MultipartEmulation {
  const store = s3rver.store as FilesystemStore;
  const uploadDir = (bucket: string, uploadId: string): string => path.join(store.getResourcePath(bucket, undefined, 'uploads'), path.basename(uploadId));
  // The response of each request left to s3rver, for the headers S3 adds to it. Set before
  // s3rver answers (Koa only adds its own headers; it clears them all on an error).
  const responses = new WeakMap<IncomingMessage, ServerResponse>();
  const answerHeader = (name: string, value: string): void => {
    const req = currentRequest();
    const res = req && responses.get(req);
    if (res && !res.headersSent) res.setHeader(name, value);
  };

  const initiateUpload = store.initiateUpload.bind(store);
  store.initiateUpload = async (bucket, key, uploadId, metadata) => {
    await initiateUpload(bucket, key, uploadId, metadata);
    const algorithm = metadata['x-amz-checksum-algorithm'];
    if (typeof algorithm === 'string' && algorithm !== '') answerHeader('x-amz-checksum-algorithm', algorithm.toUpperCase());
  };

  const putPart = store.putPart.bind(store);
  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const dir = uploadDir(bucket, uploadId);
    const upload = await readUpload(dir);
    if (upload === undefined) throw new S3Error('NoSuchUpload', NO_SUCH_UPLOAD);
    const number = Number(partNumber);
    if (!Number.isInteger(number) || number < 1 || number > 10_000) throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
    const claimed = claimedChecksum(currentRequest());
    const checksumProblem = checksumTypeProblem(upload.checksumAlgorithm, claimed?.algorithm);
    if (checksumProblem) throw new S3Error('InvalidRequest', checksumProblem);

    // Written aside first: a refused (or cut off) part must leave the part stored before it untouched.
    const staged = `${number}.incoming-${randomBytes(6).toString('hex')}`;
    if (upload.checksumAlgorithm === undefined || claimed === undefined) {
      const stored = await putPart(bucket, uploadId, staged, content);
      await fs.rename(path.join(dir, staged), path.join(dir, String(number)));
      await fs.rename(path.join(dir, `${staged}.md5`), path.join(dir, `${number}.md5`));
      return stored;
    }
    const digester = digesterOf(claimed.algorithm);
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        digester.update(chunk);
        callback(null, chunk);
      },
    });
    content.pipe(hashing);
    const stored = await putPart(bucket, uploadId, staged, hashing);
    const digest = digester.base64();
    if (claimed.value !== digest) {
      await Promise.all([fs.rm(path.join(dir, staged), { force: true }), fs.rm(path.join(dir, `${staged}.md5`), { force: true })]);
      throw new S3Error('BadDigest', badDigest(claimed.algorithm));
    }
    await fs.rename(path.join(dir, staged), path.join(dir, String(number)));
    await fs.rename(path.join(dir, `${staged}.md5`), path.join(dir, `${number}.md5`));
    await fs.writeFile(path.join(dir, `${number}.checksum`), digest);
    answerHeader(checksumHeader(claimed.algorithm as PartChecksumAlgorithm), digest);
    return stored;
  };

  // Conditional writes: `If-None-Match: *` refuses to replace an existing key (412), on a PUT
  // and on CompleteMultipartUpload, as S3 does. Checked just before the write; unlike S3 the
  // check and the write are not one atomic step, which only matters for simultaneous writers.
  const refuseExisting = async (req: IncomingMessage | undefined, bucket: string, key: string): Promise<void> => {
    if (header(req, 'if-none-match') === '*' && (await store.existsObject(bucket, key))) throw new S3Error('PreconditionFailed', PRECONDITION_FAILED, { Condition: 'If-None-Match' });
  };

  const putObject = store.putObject.bind(store);
  store.putObject = async (object) => {
    const req = currentRequest();
    if (req?.method === 'PUT') {
      try {
        await refuseExisting(req, object.bucket, object.key);
      } catch (error) {
        if (!Buffer.isBuffer(object.content)) object.content.resume();
        throw error;
      }
    }
    const claimed = claimedChecksum(req);
    // Only a PUT's own body; CompleteMultipartUpload (a POST) stores through here too.
    // A checksum of another algorithm (an SDK's default CRC32) is stored unverified, as before.
    if (req?.method !== 'PUT' || claimed === undefined || !isPartChecksumAlgorithm(claimed.algorithm) || Buffer.isBuffer(object.content)) return putObject(object);
    const staged = `${store.getResourcePath(object.bucket, object.key, 'incoming')}-${randomBytes(6).toString('hex')}`;
    await fs.mkdir(path.dirname(staged), { recursive: true });
    const digester = digesterOf(claimed.algorithm);
    try {
      await pipeline(
        object.content,
        new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            digester.update(chunk);
            callback(null, chunk);
          },
        }),
        createWriteStream(staged),
      );
      if (digester.base64() !== claimed.value) throw new S3Error('BadDigest', badDigest(claimed.algorithm));
      return await putObject({ ...object, content: createReadStream(staged) } as typeof object);
    } finally {
      await fs.rm(staged, { force: true });
    }
  };

  return {
    serve(req, res) {
      const request = parseRequest(req);
      if (request === undefined) {
        responses.set(req, res);
        return false;
      }
      const dir = uploadDir(request.bucket, request.uploadId);
      const answer = (async () => {
        const upload = await readUpload(dir);
        if (upload === undefined || upload.key !== request.key) throw new S3Error('NoSuchUpload', NO_SUCH_UPLOAD);
        switch (request.operation) {
          case 'ListParts':
            return xmlResponse(200, await listPartsXml(dir, request, upload));
          case 'AbortMultipartUpload':
            await fs.rm(dir, { recursive: true, force: true });
            return { status: 204, body: '' };
          case 'CompleteMultipartUpload': {
            const parts = parseCompleteXml(await readBody(req));
            await refuseExisting(req, request.bucket, request.key);
            await checkCompletion(dir, parts, upload);
            const result = await store.putObjectMultipart(request.bucket, request.uploadId, parts.map((p) => ({ number: p.partNumber, etag: p.etag })));
            const etag = JSON.stringify(result.md5);
            s3rver.emit('event', { Records: [createdRecord(req, request.bucket, request.key, result.size, etag)] });
            const location = `http://${req.headers.host ?? '127.0.0.1'}/${request.bucket}/${request.key}`;
            return xmlResponse(
              200,
              `<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Location>${escapeXml(location)}</Location>` +
                `<Bucket>${escapeXml(request.bucket)}</Bucket><Key>${escapeXml(request.key)}</Key><ETag>${escapeXml(etag)}</ETag></CompleteMultipartUploadResult>`,
            );
          }
        }
      })();
      answer
        .catch((error: unknown) => {
          const s3Error = error instanceof S3Error ? error : new S3Error('InternalError', 'We encountered an internal error. Please try again.');
          return { status: s3Error.status, body: s3Error.toXML(), contentType: 'application/xml' };
        })
        .then(({ status, body, contentType }: { status: number; body: string; contentType?: string }) => {
          req.resume();
          res.writeHead(status, { ...(contentType ? { 'content-type': contentType } : {}), 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
      return true;
    },
  };
}

interface MultipartRequest {
  readonly operation: 'ListParts' | 'AbortMultipartUpload' | 'CompleteMultipartUpload';
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly query: URLSearchParams;
}

/** Path-style requests only (the local stack addresses buckets in the path). */
function parseRequest(req: IncomingMessage): MultipartRequest | undefined {
  const url = new URL(req.url ?? '/', 'http://local');
  const uploadId = url.searchParams.get('uploadId');
  if (uploadId === null) return undefined;
  const operation =
    req.method === 'GET' ? 'ListParts' : req.method === 'DELETE' ? 'AbortMultipartUpload' : req.method === 'POST' ? 'CompleteMultipartUpload' : undefined;
  if (operation === undefined) return undefined;
  const [bucket, ...keyParts] = url.pathname.slice(1).split('/');
  if (!bucket || keyParts.length === 0) return undefined;
  return { operation, bucket: decodeURIComponent(bucket), key: decodeURIComponent(keyParts.join('/')), uploadId, query: url.searchParams };
}

interface UploadRecord {
  readonly key: string;
  readonly checksumAlgorithm?: string;
}

async function readUpload(dir: string): Promise<UploadRecord | undefined> {
  try {
    const [key, metadata] = await Promise.all([fs.readFile(path.join(dir, 'key'), 'utf8'), fs.readFile(path.join(dir, 'metadata'), 'utf8')]);
    const algorithm = (JSON.parse(metadata) as Record<string, string | undefined>)['x-amz-checksum-algorithm'];
    return { key, ...(algorithm ? { checksumAlgorithm: algorithm.toUpperCase() } : {}) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Headers named `x-amz-checksum-*` that carry no checksum. */
const NOT_CHECKSUMS = new Set(['algorithm', 'mode', 'type']);

/** The checksum a request carries (`x-amz-checksum-crc32c: …` → CRC32C), if any. */
function claimedChecksum(req: IncomingMessage | undefined): { readonly algorithm: string; readonly value: string } | undefined {
  for (const [name, value] of Object.entries(req?.headers ?? {})) {
    const type = /^x-amz-checksum-([a-z0-9]+)$/.exec(name)?.[1];
    if (type !== undefined && !NOT_CHECKSUMS.has(type)) return { algorithm: type.toUpperCase(), value: (Array.isArray(value) ? value[0] : value) ?? '' };
  }
  return undefined;
}

/** S3's refusal when a part's checksum type differs from the upload's (either way), or is one the local S3 cannot verify. */
function checksumTypeProblem(algorithm: string | undefined, claimed: string | undefined): string | undefined {
  const expected = algorithm === undefined ? 'null' : algorithm.toLowerCase();
  const actual = claimed === undefined ? 'null' : claimed.toLowerCase();
  if (expected !== actual) return `Checksum Type mismatch occurred, expected checksum Type: ${expected}, actual checksum Type: ${actual}`;
  if (claimed !== undefined && !isPartChecksumAlgorithm(claimed)) return `The local S3 does not verify ${claimed} checksums (only ${PART_CHECKSUM_ALGORITHMS.join(', ')})`;
  return undefined;
}

/** An incremental digest of `algorithm` (one of `PART_CHECKSUM_ALGORITHMS`), in base64. */
function digesterOf(algorithm: string): { update(chunk: Buffer): void; base64(): string } {
  if ((algorithm as PartChecksumAlgorithm) === 'CRC32C') {
    const crc = new Crc32c();
    return { update: (chunk) => crc.update(chunk), base64: () => crc.base64() };
  }
  const sha256 = createHash('sha256');
  return { update: (chunk) => sha256.update(chunk), base64: () => sha256.digest('base64') };
}

interface StoredPart {
  readonly partNumber: number;
  readonly etag: string;
  readonly size: number;
  readonly lastModified: Date;
  /** Base64, in the upload's checksum algorithm. */
  readonly checksum?: string;
}

async function storedParts(dir: string): Promise<StoredPart[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^[1-9][0-9]*$/.test(n));
  const parts = await Promise.all(
    names.map(async (name): Promise<StoredPart | undefined> => {
      try {
        const [stat, md5, checksum] = await Promise.all([
          fs.stat(path.join(dir, name)),
          fs.readFile(path.join(dir, `${name}.md5`), 'utf8'),
          // `.sha256`: parts stored before CRC32C (an on-disk stack's uploads in progress).
          fs.readFile(path.join(dir, `${name}.checksum`), 'utf8').catch(() => fs.readFile(path.join(dir, `${name}.sha256`), 'utf8')).catch(() => undefined),
        ]);
        return { partNumber: Number(name), etag: md5.trim(), size: stat.size, lastModified: stat.mtime, ...(checksum ? { checksum: checksum.trim() } : {}) };
      } catch {
        return undefined; // a part being replaced right now
      }
    }),
  );
  return parts.filter((p): p is StoredPart => p !== undefined).sort((a, b) => a.partNumber - b.partNumber);
}

async function listPartsXml(dir: string, request: MultipartRequest, upload: UploadRecord): Promise<string> {
  const marker = Number(request.query.get('part-number-marker') ?? '0') || 0;
  const maxParts = Math.min(Math.max(Number(request.query.get('max-parts') ?? MAX_PARTS_PER_LIST) || MAX_PARTS_PER_LIST, 1), MAX_PARTS_PER_LIST);
  const after = (await storedParts(dir)).filter((p) => p.partNumber > marker);
  const page = after.slice(0, maxParts);
  const truncated = after.length > page.length;
  const parts = page
    .map(
      (p) =>
        `<Part><PartNumber>${p.partNumber}</PartNumber><LastModified>${p.lastModified.toISOString()}</LastModified>` +
        `<ETag>"${p.etag}"</ETag><Size>${p.size}</Size>${p.checksum && upload.checksumAlgorithm ? `<Checksum${upload.checksumAlgorithm}>${p.checksum}</Checksum${upload.checksumAlgorithm}>` : ''}</Part>`,
    )
    .join('');
  return (
    `<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${escapeXml(request.bucket)}</Bucket>` +
    `<Key>${escapeXml(request.key)}</Key><UploadId>${escapeXml(request.uploadId)}</UploadId>` +
    `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1)?.partNumber ?? marker}</NextPartNumberMarker>` +
    `<MaxParts>${maxParts}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}<StorageClass>STANDARD</StorageClass>` +
    `${upload.checksumAlgorithm ? `<ChecksumAlgorithm>${escapeXml(upload.checksumAlgorithm)}</ChecksumAlgorithm>` : ''}</ListPartsResult>`
  );
}

interface CompletedPartXml {
  readonly partNumber: number;
  readonly etag: string;
  /** `ChecksumCRC32C`, `ChecksumSHA256`… by algorithm. */
  readonly checksums: Readonly<Record<string, string>>;
}

function parseCompleteXml(xml: string): CompletedPartXml[] {
  const tag = (block: string, name: string): string | undefined => new RegExp(`<${name}>([^<]*)</${name}>`).exec(block)?.[1];
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => {
    const block = m[1] ?? '';
    const partNumber = Number(tag(block, 'PartNumber'));
    const etag = unescapeXml(tag(block, 'ETag') ?? '').replace(/"/g, '');
    const checksums = Object.fromEntries([...block.matchAll(/<Checksum([A-Z0-9]+)>([^<]*)<\/Checksum\1>/g)].map((c) => [c[1] as string, c[2] as string]));
    if (!Number.isInteger(partNumber) || etag === '') throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    return { partNumber, etag, checksums };
  });
  if (!/<CompleteMultipartUpload[\s>]/.test(xml) || parts.length === 0) {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  return parts;
}

async function checkCompletion(dir: string, parts: readonly CompletedPartXml[], upload: UploadRecord): Promise<void> {
  // The list's order first, then each part, then sizes: the order S3 reports problems in.
  parts.forEach((part, i) => {
    if (i > 0 && part.partNumber <= (parts[i - 1] as CompletedPartXml).partNumber) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
    }
  });
  const stored = new Map((await storedParts(dir)).map((p) => [p.partNumber, p]));
  const held = parts.map((part) => {
    const held = stored.get(part.partNumber);
    if (held === undefined || held.etag !== part.etag) throw new S3Error('InvalidPart', INVALID_PART);
    if (upload.checksumAlgorithm !== undefined) {
      const checksum = part.checksums[upload.checksumAlgorithm];
      if (checksum === undefined) {
        throw new S3Error('InvalidRequest', `The upload was created using a ${upload.checksumAlgorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${part.partNumber} in the request.`);
      }
      if (checksum !== held.checksum) throw new S3Error('InvalidPart', INVALID_PART);
    }
    return held;
  });
  if (held.slice(0, -1).some((part) => part.size < MIN_PART_BYTES)) {
    throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
  }
}

function createdRecord(req: IncomingMessage, bucket: string, key: string, size: number, etag: string): unknown {
  return {
    eventName: 'ObjectCreated:Post',
    eventTime: new Date().toISOString(),
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: req.socket.remoteAddress ?? '127.0.0.1' },
    responseElements: {},
    s3: { bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' } }, object: { key, size, eTag: etag.replace(/"/g, '') } },
  };
}

function header(req: IncomingMessage | undefined, name: string): string | undefined {
  const value = req?.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function xmlResponse(status: number, xml: string): { status: number; body: string; contentType: string } {
  return { status, body: `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, contentType: 'application/xml' };
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unescapeXml = (s: string): string => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
