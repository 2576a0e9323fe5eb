/**
 * `POST /uploads/{uploadId}/parts`: presigned UploadPart URLs, signed on demand in batches, so
 * a client signs only what it is about to send and re-signs a part whose URL expired. Each URL
 * signs the part's exact `content-length` (S3 refuses a body of another size) and, for uploads
 * created with a `checksumAlgorithm` (clients: CRC32C; SHA256 still taken), the part's
 * `x-amz-checksum-crc32c` (or `-sha256`): S3 computes the body's and refuses a mismatch with
 * 400 BadDigest.
 *
 * Body: `{"partNumbers": [1, 2], "checksums": {"1": "<base64 crc32c>", "2": "…"}}`.
 */
import type { SignedPart, SignedParts } from '../../contract/wire';
import type { UploadSession } from '../core/catalog';
import { ValidationError } from '../core/errors';
import { checksumForm, checksumHeader, isBase64Checksum, MAX_PARTS_PER_SIGNING, partLength } from '../../contract/multipart';
import type { ObjectStore } from '../adapters/object-store';
import type { UploadSessionStore } from '../adapters/uploads-repository';
import type { Principal } from '../http/principal';
import { NotMultipart, UploadCompleted } from './errors';
import { accessibleSession } from './upload-access';

/** Most parts one request may sign (the one rule clients read too). */
export const MAX_PARTS_PER_REQUEST = MAX_PARTS_PER_SIGNING;
const FIELDS = new Set(['partNumbers', 'checksums']);

interface SignPartsRequest {
  readonly partNumbers: readonly number[];
  /** Base64 checksum by part number (its form is checked against the upload's algorithm in `signParts`). */
  readonly checksums: ReadonlyMap<number, string>;
}

export function parseSignPartsRequest(body: unknown): SignPartsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('body', 'must be a JSON object');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).find((f) => !FIELDS.has(f));
  if (unknown !== undefined) throw new ValidationError(unknown, 'is not a known field (expected partNumbers, checksums)');
  const numbers = fields.partNumbers;
  if (!Array.isArray(numbers) || numbers.length === 0 || numbers.length > MAX_PARTS_PER_REQUEST) {
    throw new ValidationError('partNumbers', `must be an array of 1 to ${MAX_PARTS_PER_REQUEST} part numbers`);
  }
  const seen = new Set<number>();
  numbers.forEach((n: unknown, i) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ValidationError(`partNumbers[${i}]`, 'must be a whole number from 1');
    if (seen.has(n)) throw new ValidationError(`partNumbers[${i}]`, `repeats part ${n}`);
    seen.add(n);
  });
  const checksums = new Map<number, string>();
  if (fields.checksums !== undefined) {
    const raw = fields.checksums;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('checksums', 'must be an object of part number → base64 checksum');
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      const partNumber = /^[1-9][0-9]{0,4}$/.test(name) ? Number(name) : Number.NaN;
      if (!seen.has(partNumber)) throw new ValidationError(`checksums.${name}`, 'names no part of partNumbers');
      if (typeof value !== 'string') throw new ValidationError(`checksums.${name}`, 'must be the part\'s checksum in base64 (a string)');
      checksums.set(partNumber, value);
    }
  }
  return { partNumbers: numbers as number[], checksums };
}

export interface SignPartsDeps {
  readonly uploads: Pick<UploadSessionStore, 'get'>;
  readonly objects: Pick<ObjectStore, 'urlSigner'>;
  readonly urlTtlSeconds: number;
  /** @default the clock */
  readonly now?: () => Date;
}

/** The answer (contract/wire.ts): each part's URL and the headers it signs, and when they stop working. */
export type { SignedPart, SignedParts as SignPartsResponse };

export async function signParts(uploadId: string | undefined, request: SignPartsRequest, caller: Principal, deps: SignPartsDeps): Promise<SignedParts> {
  const now = (deps.now ?? (() => new Date()))();
  const session = await accessibleSession(uploadId, caller, deps.uploads, now);
  const multipart = requirePendingMultipart(session);
  const plan = { partSize: multipart.partSize, partCount: multipart.partCount };

  request.partNumbers.forEach((n, i) => {
    if (n > plan.partCount) throw new ValidationError(`partNumbers[${i}]`, `part ${n} does not exist: this upload has ${plan.partCount} parts`);
  });
  const algorithm = multipart.checksumAlgorithm;
  if (algorithm !== undefined) {
    const missing = request.partNumbers.find((n) => !request.checksums.has(n));
    if (missing !== undefined) throw new ValidationError(`checksums.${missing}`, `is required: this upload was created with checksumAlgorithm ${algorithm}, so S3 needs every part's checksum`);
    for (const [partNumber, value] of request.checksums) {
      if (!isBase64Checksum(algorithm, value)) throw new ValidationError(`checksums.${partNumber}`, `must be ${checksumForm(algorithm)}: this upload was created with checksumAlgorithm ${algorithm}`);
    }
  } else if (request.checksums.size > 0) {
    throw new ValidationError('checksums', 'this upload was created without checksumAlgorithm; S3 refuses part checksums then (create it with "checksumAlgorithm": "CRC32C")');
  }

  // A URL never outlives its session.
  const untilSessionEnds = Math.floor((Date.parse(session.expiresAt) - now.getTime()) / 1000);
  const expiresIn = Math.max(1, Math.min(deps.urlTtlSeconds, untilSessionEnds));
  const urls = await deps.objects.urlSigner();
  const parts = request.partNumbers.map((partNumber): SignedPart => {
    const checksum = request.checksums.get(partNumber);
    const headers: Record<string, string> = {
      'content-length': String(partLength(session.size, plan, partNumber)),
      ...(checksum !== undefined && algorithm !== undefined ? { [checksumHeader(algorithm)]: checksum } : {}),
    };
    return { partNumber, url: urls.part({ key: session.key, partNumber, uploadId: multipart.s3UploadId, expiresIn, headers, now }), headers };
  });
  return { parts, expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() };
}

/** The multipart state of a session that still takes parts; 409 otherwise. */
export function requirePendingMultipart(session: UploadSession): NonNullable<UploadSession['multipart']> {
  if (session.mode !== 'multipart' || session.multipart === undefined) {
    throw new NotMultipart(`Upload ${session.uploadId} is a single PUT: it has no parts`);
  }
  if (session.status === 'completed') throw new UploadCompleted(`Upload ${session.uploadId} is already completed`);
  return session.multipart;
}
