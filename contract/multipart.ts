/**
 * Multipart upload arithmetic, pure: how a declared size is cut into parts under S3's limits,
 * the exact size of each part (signed into its URL as `content-length`), and whether the parts
 * S3 holds add up to the declared object.
 *
 * S3's limits: at most 10,000 parts; every part but the last at least 5 MiB and at most 5 GiB;
 * an object at most 5 TiB.
 *
 * Runs in the browser too (the web app's uploader): no Node imports or globals.
 */
/** How many times a client signs one part again after S3 said its URL expired (then the upload fails with S3's answer). */
export const MAX_RESIGNS_PER_PART = 5;

export const MiB = 1024 ** 2;
export const MIN_PART_SIZE = 5 * MiB;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10_000;
/** 5 TiB = 5,497,558,138,880 bytes: S3's largest object. */
export const MAX_OBJECT_SIZE = 5 * 1024 ** 4;
/**
 * Part size used whenever 10,000 of them suffice (files up to ~78 GiB). Larger than S3's minimum
 * so fewer requests carry more bytes; small enough that a lost part costs little to resend.
 */
export const PREFERRED_PART_SIZE = 8 * MiB;

/** Most parts one `POST /uploads/{id}/parts` signs: bounds the answer and the function's work. */
export const MAX_PARTS_PER_SIGNING = 100;

/**
 * Clients (CLI and web app) declare the whole file's SHA-256 by default only up to this size.
 * Below it the file is usually one PUT, where S3 verifies that SHA-256; above it the upload is
 * multipart, S3 verifies every part's SHA-256 instead and cannot check a whole-object one, and
 * the extra pass over the file before the upload starts costs more than the parts' sending
 * (measured: up to 20 % of a 512 MiB upload on a busy machine). `media-store upload --file-sha256`
 * declares it for a large file all the same.
 */
export const WHOLE_FILE_SHA256_MAX_BYTES = 64 * MiB;

export interface PartPlan {
  /** Size of every part but the last, bytes. */
  readonly partSize: number;
  readonly partCount: number;
}

/**
 * The part size and count for an object of `size` bytes: `PREFERRED_PART_SIZE`, or the smallest
 * whole number of MiB that keeps the count within 10,000. A 0-byte object is one empty part
 * (S3 refuses a completion without parts). Throws `RangeError` beyond 5 TiB.
 */
export function planParts(size: number): PartPlan {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a whole number of bytes, got ${size}`);
  if (size > MAX_OBJECT_SIZE) throw new RangeError(`size ${size} is more than S3's largest object (${MAX_OBJECT_SIZE} bytes)`);
  const fewestBytesPerPart = Math.ceil(size / MAX_PARTS);
  const partSize = Math.max(PREFERRED_PART_SIZE, Math.ceil(fewestBytesPerPart / MiB) * MiB);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** Exact byte count of part `partNumber` (1-based): `partSize`, except a shorter last part. */
export function partLength(size: number, plan: PartPlan, partNumber: number): number {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > plan.partCount) {
    throw new RangeError(`part number must be from 1 to ${plan.partCount}, got ${partNumber}`);
  }
  return partNumber < plan.partCount ? plan.partSize : size - (plan.partCount - 1) * plan.partSize;
}

/** Byte offset of part `partNumber` in the file: where a client reads it from. */
export const partOffset = (plan: PartPlan, partNumber: number): number => (partNumber - 1) * plan.partSize;

export interface HeldPart {
  readonly partNumber: number;
  /** Without quotes. */
  readonly etag: string;
  readonly size: number;
  /** The part's checksum S3 verified and recorded (base64, in the upload's `PartChecksumAlgorithm`), when it was created with one. */
  readonly checksum?: string;
}

export interface ClaimedPart {
  readonly partNumber: number;
  readonly etag: string;
}

type PartListProblem =
  | { readonly code: 'PartListMismatch'; readonly message: string }
  | { readonly code: 'SizeMismatch'; readonly message: string };

/**
 * Why the client's part list and the parts S3 holds do not make the declared object, or
 * `undefined` when they do: exactly parts 1…partCount, in order, each held by S3 with the same
 * ETag and exactly its planned length, adding up to `size`.
 */
export function checkPartList(size: number, plan: PartPlan, claimed: readonly ClaimedPart[], held: readonly HeldPart[]): PartListProblem | undefined {
  const heldByNumber = new Map(held.map((p) => [p.partNumber, p]));
  let total = 0;
  for (const [index, part] of claimed.entries()) {
    if (part.partNumber !== index + 1) {
      return { code: 'PartListMismatch', message: `parts must be numbered 1 to ${plan.partCount} in order; position ${index + 1} holds part ${part.partNumber}` };
    }
    const stored = heldByNumber.get(part.partNumber);
    if (stored === undefined) return { code: 'PartListMismatch', message: `part ${part.partNumber} was never uploaded` };
    if (normalizeEtag(stored.etag) !== normalizeEtag(part.etag)) {
      return { code: 'PartListMismatch', message: `part ${part.partNumber}: etag ${part.etag} is not the etag of the part stored` };
    }
    if (part.partNumber <= plan.partCount && stored.size !== partLength(size, plan, part.partNumber)) {
      return { code: 'SizeMismatch', message: `part ${part.partNumber} holds ${stored.size} bytes, expected ${partLength(size, plan, part.partNumber)}` };
    }
    total += stored.size;
  }
  if (claimed.length !== plan.partCount || total !== size) {
    return { code: 'SizeMismatch', message: `the ${claimed.length} parts listed hold ${total} bytes; the upload declared ${size} bytes in ${plan.partCount} parts` };
  }
  return undefined;
}

export const normalizeEtag = (etag: string): string => etag.replace(/"/g, '');

/**
 * The checksum algorithms of S3's `x-amz-checksum-*` a multipart upload may be created with
 * (`checksumAlgorithm`): every part then carries its checksum, signed into its URL, and S3
 * computes the body's and refuses a mismatch (400 BadDigest). `SHA256` is what clients sent
 * before CRC32C; the API still takes it (an older CLI, an upload being resumed).
 */
export const PART_CHECKSUM_ALGORITHMS = ['CRC32C', 'SHA256'] as const;
export type PartChecksumAlgorithm = (typeof PART_CHECKSUM_ALGORITHMS)[number];

/**
 * The part checksum both clients use (issue 22 §3): CRC-32C, computed in WebAssembly
 * (hash-wasm) by the web app's Workers and the CLI's worker threads, several times cheaper than
 * SHA-256 in WebAssembly, and one of the algorithms S3 verifies on every UploadPart. The
 * object's checksum is then S3's COMPOSITE CRC-32C (the CRC-32C of the parts' CRC-32Cs, "-N"):
 * the completion lists each part's. The whole file's SHA-256 stays the file's identity
 * (duplicates, the scrub), hashed beside the parts, not instead of them.
 */
export const PART_CHECKSUM_ALGORITHM: PartChecksumAlgorithm = 'CRC32C';

/** Bytes of each algorithm's digest: base64 with padding takes 4 × ⌈bytes / 3⌉ characters. */
const DIGEST_BYTES: Readonly<Record<PartChecksumAlgorithm, number>> = { CRC32C: 4, SHA256: 32 };

export const isPartChecksumAlgorithm = (value: unknown): value is PartChecksumAlgorithm => typeof value === 'string' && (PART_CHECKSUM_ALGORITHMS as readonly string[]).includes(value);

/** The header S3 takes a part's (or a PUT's) checksum in: `x-amz-checksum-crc32c`, `x-amz-checksum-sha256`. */
export const checksumHeader = (algorithm: PartChecksumAlgorithm): string => `x-amz-checksum-${algorithm.toLowerCase()}`;

/** How a checksum of `algorithm` is written, for error messages: "the CRC32C of the part in base64 with padding (8 characters)". */
export const checksumForm = (algorithm: PartChecksumAlgorithm): string => `the ${algorithm === 'SHA256' ? 'SHA-256' : 'CRC-32C'} of the part in base64 with padding (${4 * Math.ceil(DIGEST_BYTES[algorithm] / 3)} characters)`;

/**
 * Whether `value` is a digest of `algorithm` in the form S3's `x-amz-checksum-*` takes:
 * standard base64 with padding, exactly the digest's bytes, canonical (no stray bits in the
 * last character before the padding).
 */
export function isBase64Checksum(algorithm: PartChecksumAlgorithm, value: unknown): value is string {
  const bytes = DIGEST_BYTES[algorithm];
  const length = 4 * Math.ceil(bytes / 3);
  const padding = (3 - (bytes % 3)) % 3;
  if (typeof value !== 'string' || value.length !== length || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return false;
  if (value.slice(length - padding) !== '='.repeat(padding) || value.charAt(length - padding - 1) === '=') return false;
  // The last data character carries 2 (one '=') or 4 (two '=') zero bits beyond the digest.
  const last = BASE64_ALPHABET.indexOf(value.charAt(length - padding - 1));
  return padding === 0 || last % (padding === 1 ? 4 : 16) === 0;
}

/** Whether `value` is a SHA-256 digest in the form S3's `x-amz-checksum-sha256` takes (the whole file's, or a part's). */
export const isBase64Sha256 = (value: unknown): value is string => isBase64Checksum('SHA256', value);

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * A client stops using a presigned URL this long before it expires (or in the last quarter of
 * its life, for short-lived URLs) and signs it again instead of sending into a refusal.
 */
const URL_EXPIRY_MARGIN_MS = 30_000;

/** When a URL expiring at `expiresAtMs` should be signed again; a URL already at its expiry (clock skew) still gets one try. */
export function urlStaleAtMs(expiresAtMs: number, nowMs: number): number {
  return Math.max(nowMs + 1, expiresAtMs - Math.min(URL_EXPIRY_MARGIN_MS, (expiresAtMs - nowMs) / 4));
}
